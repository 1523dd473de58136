package dev.runbook.executors.s3;

import dev.runbook.spi.Action;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.runbook.executors.s3.S3ActionsSupport.action;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The same actions on file:// locations, through the same ObjectStore contract, and their plan lines. */
class S3ExecutorFileTest {

    @TempDir
    Path tmp;

    private Map<String, Object> run(String name, RecordingStepContext ctx, Map<String, Object> params) throws Exception {
        return action(name).execute(Params.of(params), ctx).asMap();
    }

    @Test
    void uploadLatestVerifyAndDownloadWorkOnADirectory() throws Exception {
        RecordingStepContext ctx = new RecordingStepContext();
        String base = "file://" + tmp.resolve("backups") + "/";
        for (String ts : List.of("20261124T020000Z", "20261125T020000Z", "20261123T020000Z")) {
            Path dump = tmp.resolve("d-" + ts);
            Files.writeString(dump, "dump " + ts);
            run("upload", ctx, Map.of("from", dump.toString(), "to", base + "postgres_" + ts + ".sql.zst"));
        }
        Files.writeString(tmp.resolve("backups/postgres_20991231T000000Z.sql.manifest.json"), "{}");

        Map<String, Object> latest = run("latest", ctx, Map.of("prefix", base + "postgres_"));
        assertEquals("postgres_20261125T020000Z.sql.zst", latest.get("key"));
        assertEquals(base + "postgres_20261125T020000Z.sql.zst", latest.get("uri"));
        assertEquals("zstd", latest.get("compression"));
        assertEquals("", latest.get("storage-class"));

        String probe = action("latest").probe(Params.of(Map.of("prefix", base + "postgres_")), ctx).orElseThrow();
        assertTrue(probe.startsWith("newest: " + base + "postgres_20261125T020000Z.sql.zst taken 2026-11-25T02:00:00Z"), probe);

        Map<String, Object> verified = run("verify", ctx, Map.of("object", latest.get("uri")));
        assertEquals(21L, verified.get("size"));

        Path target = tmp.resolve("restore/out.sql.zst");
        run("download", ctx, Map.of("from", latest.get("uri"), "to", target.toString()));
        assertEquals("dump 20261125T020000Z", Files.readString(target));

        Map<String, Object> listed = run("list", ctx, Map.of("prefix", base));
        assertEquals(4L, listed.get("count"));

        Map<String, Object> restore = run("restore-archived", ctx, Map.of("object", latest.get("uri")));
        assertEquals(true, restore.get("restored"));
        assertEquals(false, restore.get("requested"));

        StepFailure lifecycle = assertThrows(StepFailure.class, () -> run("apply-lifecycle", ctx, Map.of("prefix", base)));
        assertTrue(lifecycle.getMessage().contains("only for S3"), lifecycle.getMessage());
    }

    @Test
    void verifyDetectsACorruptedFile() throws Exception {
        RecordingStepContext ctx = new RecordingStepContext();
        Path dump = tmp.resolve("x.sql");
        Files.writeString(dump, "good");
        String uri = "file://" + tmp.resolve("store") + "/app_20261125T020000Z.sql";
        run("upload", ctx, Map.of("from", dump.toString(), "to", uri));
        Files.writeString(tmp.resolve("store/app_20261125T020000Z.sql"), "evil");
        StepFailure e = assertThrows(StepFailure.class, () -> run("verify", ctx, Map.of("object", uri)));
        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
    }

    @Test
    void latestFailsClearlyWhenThereIsNoBackup() throws Exception {
        Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(tmp.resolve("empty/notes.txt"), "x");
        StepFailure e = assertThrows(StepFailure.class, () -> run("latest", new RecordingStepContext(),
                Map.of("prefix", "file://" + tmp.resolve("empty") + "/")));
        assertTrue(e.getMessage().contains("no backup found under"), e.getMessage());
        assertTrue(e.getMessage().contains("(1 object listed, none named"), e.getMessage());
    }

    /** The log says how many backups the newest was chosen from, in proper English: "the only backup found", "2 backups found". */
    @Test
    void latestSaysHowManyBackupsItChoseFrom() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("counted"));
        String prefix = "file://" + store + "/postgres_";
        Files.writeString(store.resolve("postgres_20261124T020000Z.sql"), "one");
        RecordingStepContext one = new RecordingStepContext();
        run("latest", one, Map.of("prefix", prefix));
        assertTrue(one.transcript().contains(", the only backup found"), one.transcript());
        assertFalse(one.transcript().contains("1 backups"), one.transcript());

        Files.writeString(store.resolve("postgres_20261125T020000Z.sql"), "two");
        RecordingStepContext two = new RecordingStepContext();
        run("latest", two, Map.of("prefix", prefix));
        assertTrue(two.transcript().contains("newest backup: " + prefix + "20261125T020000Z.sql"), two.transcript());
        assertTrue(two.transcript().contains(", 2 backups found"), two.transcript());
        assertFalse(two.transcript().contains("the only backup"), two.transcript());
    }

    @Test
    void planLinesSayWhatHappensWithoutTouchingAnything() {
        Action latest = action("latest");
        assertEquals("find the newest backup under s3://b/postgres/postgres_ (by the timestamp in its name)",
                latest.describe(Params.of(Map.of("prefix", "s3://b/postgres/postgres_"))));
        String download = action("download").describe(Params.of(Map.of(
                "from", new Deferred("steps.find.outputs.uri"), "to", "/restore/db.sql")));
        assertEquals("download ⟨from steps.find.outputs.uri⟩ to /restore/db.sql, checking its recorded SHA-256", download);
        Action lifecycle = action("apply-lifecycle");
        Params lp = Params.of(Map.of("prefix", "s3://b/postgres/"));
        assertFalse(lifecycle.destructive(lp));
        assertTrue(lifecycle.describe(lp).contains("move to GLACIER after 365 days"), lifecycle.describe(lp));
        assertTrue(lifecycle.describe(lp).contains("other rules kept"), lifecycle.describe(lp));
        assertTrue(action("download").destructive(Params.of(Map.of("from", "s3://b/k", "overwrite", true))));
        assertFalse(action("upload").destructive(Params.of(Map.of("from", "x", "to", "s3://b/k"))));
    }

    @Test
    void everyActionDeclaresTheCommonParams() {
        for (Action a : new S3Executor().actions()) {
            List<String> names = a.params().stream().map(p -> p.name()).toList();
            assertTrue(names.containsAll(List.of("endpoint", "region", "path-style")), a.name() + ": " + names);
            assertFalse(a.params().stream().anyMatch(p -> p.sensitive()), a.name() + " takes no secrets");
        }
    }
}
