package dev.runbook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.storage.BackupKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code runbook backups} and the prune runbook's saved plan, on a real directory (file://). */
class BackupsCommandTest {

    @TempDir
    Path tmp;

    private Path backups(Instant now) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("backups/postgres"));
        for (int days : new int[]{2, 3, 4}) {
            String k = "postgres_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(days))) + ".sql";
            Files.writeString(dir.resolve(k), "select 1;\n");
            Files.writeString(dir.resolve(k + ".manifest.json"), "{\"sha256\":\"abc\"}");
        }
        String drilled = "postgres_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(3))) + ".sql";
        Files.writeString(dir.resolve(drilled + ".drill.json"),
                "{\"result\":\"passed\",\"at\":\"2026-01-01T00:00:00Z\",\"recoveryMs\":61500,\"sha256Verified\":true}");
        Files.writeString(dir.resolve("postgres_orders_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofHours(3))) + ".sql.zst.age"), "x");
        return dir;
    }

    @Test
    void listsNewestFirstAndExitsSixWhenANameMissedItsRecoveryPoint() throws Exception {
        Path dir = backups(Instant.now());
        CliRunner cli = new CliRunner(tmp, Map.of());
        CliRunner.Result ok = cli.run("backups", "file://" + dir + "/", "--name", "postgres", "--max-age", "3d");
        assertEquals(0, ok.code(), ok::toString);
        String[] lines = ok.out().split("\n");
        assertTrue(lines[0].startsWith("Backups under file://" + dir + "/: 3, newest first"), ok::toString);
        assertTrue(lines[2].contains("2d 0h") && lines[2].contains("recorded ") && lines[2].contains("never"), ok::toString);
        assertTrue(lines[3].contains("recorded, verified") && lines[3].contains("passed 2026-01-01, recovered in 1m 1s"), ok::toString);
        assertTrue(ok.out().contains("ignored 1 backup of other names"), ok::toString);

        // every name: orders is fresh, but postgres' newest is 2 days old
        CliRunner.Result stale = cli.run("backups", "file://" + dir + "/", "--max-age", "26h");
        assertEquals(ExitCodes.BACKUP_TOO_OLD, stale.code(), stale::toString);
        assertTrue(stale.out().contains("WARNING: the newest postgres backup is 2d 0h old, older than --max-age 26h"), stale::toString);
        assertTrue(stale.out().contains("postgres_orders   plain   zstd         age"), stale::toString);

        CliRunner.Result empty = cli.run("backups", "file://" + Files.createDirectories(tmp.resolve("none")) + "/", "--max-age", "26h");
        assertEquals(6, empty.code());
        assertTrue(empty.out().contains("WARNING: no backup at all"), empty::toString);
    }

    @Test
    void jsonForToolsAndTheBucketFromTheEnvironment() throws Exception {
        Path dir = backups(Instant.now());
        CliRunner.Result json = new CliRunner(tmp, Map.of()).run("backups", "file://" + dir + "/", "--format", "json", "--name", "postgres");
        assertEquals(0, json.code(), json::toString);
        JsonNode doc = new ObjectMapper().readTree(json.out());
        assertEquals(3, doc.get("count").asInt());
        assertEquals("passed", doc.get("backups").get(1).get("drill").get("result").asText());
        assertEquals(61500, doc.get("backups").get(1).get("drill").get("recovery_ms").asLong());
        assertTrue(doc.get("backups").get(0).get("age_seconds").asLong() >= 2 * 86400);
        assertFalse(doc.get("stale").asBoolean());

        CliRunner.Result noBucket = new CliRunner(tmp, Map.of()).run("backups");
        assertEquals(ExitCodes.INVALID, noBucket.code());
        assertTrue(noBucket.err().contains("give a LOCATION") && noBucket.err().contains("BACKUP_BUCKET"), noBucket::toString);
        CliRunner.Result missing = new CliRunner(tmp, Map.of()).run("backups", "file://" + tmp.resolve("nowhere") + "/");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("is not a directory"), missing::toString);
    }

    @Test
    void aSavedPrunePlanRefusesToRunOnceTheBackupsChanged() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("backups/postgres"));
        Instant now = Instant.now();
        for (int days = 2; days <= 6; days++) {
            Files.writeString(dir.resolve("app_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(days))) + ".sql"), "x");
        }
        Path runbook = Path.of("runbooks/prune.yaml").toAbsolutePath();
        CliRunner cli = new CliRunner(tmp, Map.of());
        String[] inputs = {"--input", "location=file://" + dir + "/", "--input", "keep_last=2", "--input", "keep_daily=0",
                "--input", "keep_weekly=0", "--input", "keep_monthly=0", "--input", "keep_yearly=0",
                "--input", "metrics_dir=" + tmp.resolve("metrics")};
        Files.createDirectories(tmp.resolve("metrics"));
        String[] plan = concat(new String[]{"plan", runbook.toString(), "--refresh", "--out", "prune.json"}, inputs);
        CliRunner.Result planned = cli.run(plan);
        assertEquals(0, planned.code(), planned::toString);
        assertTrue(planned.out().contains("DESTRUCTIVE"), planned::toString);
        assertTrue(planned.out().contains("now: delete 3 of 5 backups (3 objects), keep 2"), planned::toString);

        // a backup appears between the review and the run: the approved set no longer holds
        Path added = dir.resolve("app_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(9))) + ".sql");
        Files.writeString(added, "x");
        CliRunner.Result refused = cli.run("run", "--plan", "prune.json", "--approve", "prune");
        assertEquals(ExitCodes.INVALID, refused.code(), refused::toString);
        assertTrue(refused.err().contains("would delete or keep changed since the plan was made"), refused::toString);
        try (var files = Files.list(dir)) {
            assertEquals(6, files.count(), "nothing deleted");
        }

        Files.delete(added);
        CliRunner.Result ran = cli.run("run", "--plan", "prune.json", "--approve", "prune");
        assertEquals(0, ran.code(), ran::toString);
        try (var files = Files.list(dir)) {
            assertEquals(2, files.filter(f -> !f.getFileName().toString().startsWith(".")).count());
        }
        // the run records its result for monitoring (every name pruned: database "all")
        String metrics = Files.readString(tmp.resolve("metrics/runbook_prune_all.prom"));
        assertTrue(metrics.contains("runbook_prune_backups_kept{database=\"all\"} 2"), metrics);
        assertTrue(metrics.contains("runbook_prune_backups_deleted{database=\"all\"} 3"), metrics);
        assertTrue(metrics.contains("runbook_prune_last_run_success{database=\"all\"} 1"), metrics);
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
