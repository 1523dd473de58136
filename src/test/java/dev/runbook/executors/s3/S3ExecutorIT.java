package dev.runbook.executors.s3;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.runbook.executors.s3.S3ActionsSupport.context;
import static dev.runbook.executors.s3.S3ActionsSupport.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The s3 actions against S3Proxy, a real S3 API server run locally. */
class S3ExecutorIT {

    private static final int MIB = 1024 * 1024;
    private static S3ProxyServer s3;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3ProxyServer.start();
        s3.createBucket("backups");
        s3.createBucket("many");
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    @Test
    void uploadThenDownloadIsByteIdenticalPrivateAndVerified() throws Exception {
        byte[] data = new byte[11 * MIB + 7];
        new Random(3).nextBytes(data);
        Path dump = tmp.resolve("dump.sql");
        Files.write(dump, data);
        RecordingStepContext ctx = context(s3);

        Outputs up = run("upload", s3, ctx, Map.of("from", dump.toString(),
                "to", "s3://backups/postgres/postgres_20261125T020000Z.sql", "part-size", 5L * MIB));
        assertEquals(sha256(data), up.asMap().get("sha256"));
        assertEquals("s3://backups/postgres/postgres_20261125T020000Z.sql", up.asMap().get("uri"));
        assertEquals(sha256(data), s3.client().headObject(h -> h.bucket("backups")
                .key("postgres/postgres_20261125T020000Z.sql")).metadata().get("sha256"));
        assertTrue(ctx.transcript().contains("progress: upload " + data.length + "/" + data.length), ctx.transcript());

        Path target = tmp.resolve("restore/nested/x.sql");
        Outputs down = run("download", s3, ctx, Map.of(
                "from", "s3://backups/postgres/postgres_20261125T020000Z.sql", "to", target.toString()));
        assertArrayEquals(data, Files.readAllBytes(target));
        assertEquals(true, down.asMap().get("verified"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target.getParent())));
        assertTrue(ctx.transcript().contains("progress: download " + data.length + "/" + data.length));

        StepFailure refused = assertThrows(StepFailure.class, () -> run("download", s3, ctx, Map.of(
                "from", "s3://backups/postgres/postgres_20261125T020000Z.sql", "to", target.toString())));
        assertTrue(refused.getMessage().contains("overwrite: true"), refused.getMessage());

        Files.writeString(target, "stale");
        run("download", s3, ctx, Map.of("from", "s3://backups/postgres/postgres_20261125T020000Z.sql",
                "to", target.toString(), "overwrite", true));
        assertArrayEquals(data, Files.readAllBytes(target));

        StepFailure exists = assertThrows(StepFailure.class, () -> run("upload", s3, ctx, Map.of("from", dump.toString(),
                "to", "s3://backups/postgres/postgres_20261125T020000Z.sql")));
        assertTrue(exists.getMessage().contains("already exists"), exists.getMessage());
    }

    @Test
    void downloadWithoutTargetGoesToTheScratchDirectory() throws Exception {
        s3.client().putObject(p -> p.bucket("backups").key("scratch/a_20260101T000000Z.sql"), RequestBody.fromString("select 1;"));
        RecordingStepContext ctx = context(s3);
        Outputs down = run("download", s3, ctx, Map.of("from", "s3://backups/scratch/a_20260101T000000Z.sql"));
        Path path = Path.of((String) down.asMap().get("path"));
        assertEquals(ctx.scratchDir().resolve("a_20260101T000000Z.sql"), path);
        assertEquals("select 1;", Files.readString(path));
        assertEquals(false, down.asMap().get("verified"));
        assertTrue(ctx.transcript().contains("no SHA-256 recorded"), ctx.transcript());
    }

    @Test
    void downloadOfAMissingObjectSaysSo() {
        StepFailure e = assertThrows(StepFailure.class, () -> run("download", s3, context(s3),
                Map.of("from", "s3://backups/postgres/none_20260101T000000Z.sql", "to", tmp.resolve("n.sql").toString())));
        assertTrue(e.getMessage().contains("no object at s3://backups/postgres/none_20260101T000000Z.sql"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("n.sql")));
    }

    /**
     * 1,100 backups: the newest sorts last by key (second listing page) and was written first
     * (oldest LastModified); manifests, strays and a newer-looking non-backup are ignored.
     */
    @Test
    void latestPaginatesAndPicksByTheTimestampInTheName() throws Exception {
        String newest = "postgres/zz_app_20261201T020000Z.sql.gz";
        s3.client().putObject(p -> p.bucket("many").key(newest), RequestBody.fromString("newest"));
        Thread.sleep(1100); // LastModified has one-second resolution
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1100; i++) {
            java.time.Instant when = java.time.Instant.parse("2025-01-01T00:00:00Z").plusSeconds(3600L * i);
            keys.add("postgres/postgres_" + dev.runbook.storage.BackupKeys.TIMESTAMP.format(when) + ".sql");
        }
        keys.add("postgres/zz_app_20261201T020000Z.sql.gz.manifest.json");
        keys.add("postgres/zzz_20301231T000000Z.sql.manifest.json");
        keys.add("postgres/zzz_20301231T000000Z.sql.bak");
        keys.add("postgres/zzzz_99999999T999999Z.sql");
        keys.add("postgres/zzzzz-README.txt");
        keys.parallelStream().forEach(k -> s3.client().putObject(p -> p.bucket("many").key(k), RequestBody.fromString(k)));

        ListObjectsV2Response firstPage = s3.client().listObjectsV2(l -> l.bucket("many").prefix("postgres/"));
        assertTrue(firstPage.isTruncated(), "the server must paginate for this test to mean anything");
        assertFalse(firstPage.contents().stream().anyMatch(o -> o.key().equals(newest)));

        RecordingStepContext ctx = context(s3);
        Map<String, Object> out = run("latest", s3, ctx, Map.of("prefix", "s3://many/postgres/")).asMap();
        assertEquals(newest, out.get("key"));
        assertEquals("s3://many/" + newest, out.get("uri"));
        assertEquals("2026-12-01T02:00:00Z", out.get("timestamp"));
        assertEquals("plain", out.get("format"));
        assertEquals("gzip", out.get("compression"));
        assertEquals(6L, out.get("size"));
        assertEquals("STANDARD", out.get("storage-class"));
        assertTrue(out.get("age-seconds") instanceof Long);

        Map<String, Object> listed = run("list", s3, ctx, Map.of("prefix", "s3://many/postgres/")).asMap();
        assertEquals(1106L, listed.get("count"));

        StepFailure none = assertThrows(StepFailure.class, () ->
                run("latest", s3, context(s3), Map.of("prefix", "s3://many/mysql/")));
        assertTrue(none.getMessage().contains("no backup found under s3://many/mysql/"), none.getMessage());
    }

    @Test
    void verifyPassesOnAGoodObjectAndDetectsACorruptedOne() throws Exception {
        Path dump = tmp.resolve("v.sql");
        Files.writeString(dump, "CREATE TABLE t (id int);\n".repeat(1000));
        RecordingStepContext ctx = context(s3);
        run("upload", s3, ctx, Map.of("from", dump.toString(), "to", "s3://backups/verify/app_20261125T020000Z.sql"));

        Map<String, Object> ok = run("verify", s3, ctx, Map.of("object", "s3://backups/verify/app_20261125T020000Z.sql")).asMap();
        assertEquals(sha256(Files.readAllBytes(dump)), ok.get("sha256"));
        assertEquals(Files.size(dump), ok.get("size"));

        // bit rot, or someone replaced the object: same metadata, different bytes
        String recorded = (String) ok.get("sha256");
        s3.client().putObject(p -> p.bucket("backups").key("verify/app_20261125T020000Z.sql")
                .metadata(Map.of("sha256", recorded)), RequestBody.fromString("CREATE TABLE t (id int);\n".repeat(999)));
        StepFailure bad = assertThrows(StepFailure.class, () ->
                run("verify", s3, ctx, Map.of("object", "s3://backups/verify/app_20261125T020000Z.sql")));
        assertTrue(bad.getMessage().contains("SHA-256 mismatch"), bad.getMessage());
        assertFalse(bad.retryable());

        StepFailure badDownload = assertThrows(StepFailure.class, () -> run("download", s3, ctx, Map.of(
                "from", "s3://backups/verify/app_20261125T020000Z.sql", "to", tmp.resolve("bad.sql").toString())));
        assertTrue(badDownload.getMessage().contains("SHA-256 mismatch"), badDownload.getMessage());
        assertFalse(Files.exists(tmp.resolve("bad.sql")), "a corrupt download must not be left under its name");
    }

    @Test
    void verifyUsesTheManifestWhenThereIsNoMetadata() throws Exception {
        byte[] body = "COPY t FROM stdin;\n".getBytes();
        s3.client().putObject(p -> p.bucket("backups").key("manifest/app_20261125T020000Z.dump"), RequestBody.fromBytes(body));
        s3.client().putObject(p -> p.bucket("backups").key("manifest/app_20261125T020000Z.dump.manifest.json"),
                RequestBody.fromString("{\"sha256\":\"" + sha256(body) + "\",\"database\":\"app\"}"));
        RecordingStepContext ctx = context(s3);
        run("verify", s3, ctx, Map.of("object", "s3://backups/manifest/app_20261125T020000Z.dump"));
        assertTrue(ctx.transcript().contains("matches manifest/app_20261125T020000Z.dump.manifest.json"), ctx.transcript());

        StepFailure nothing = assertThrows(StepFailure.class, () -> run("verify", s3, ctx,
                Map.of("object", "s3://backups/scratch-none.sql", "sha256", "00")));
        assertTrue(nothing.getMessage().contains("no object at"), nothing.getMessage());
    }
}
