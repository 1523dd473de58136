package dev.runbook.executors.s3;

import dev.runbook.spi.Params;
import dev.runbook.storage.BackupKeys;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.runbook.executors.s3.S3ActionsSupport.action;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** latest, catalog, record-drill and prune on a real directory (file://), with names sharing prefixes. */
class CatalogPruneFileTest {

    @TempDir
    Path tmp;

    private Map<String, Object> run(String name, RecordingStepContext ctx, Map<String, Object> params) throws Exception {
        return action(name).execute(Params.of(params), ctx).asMap();
    }

    private void backup(Path dir, String name, Instant when, String ext, boolean manifest) throws Exception {
        Path file = dir.resolve(name + "_" + BackupKeys.TIMESTAMP.format(when) + ext);
        byte[] data = ("-- " + file.getFileName() + "\n").getBytes();
        Files.write(file, data);
        if (manifest) {
            Files.writeString(Path.of(file + ".manifest.json"), "{\"sha256\":\""
                    + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)) + "\"}");
        }
    }

    @Test
    void latestTakesTheExactNameNeverALongerOneSharingItsPrefix() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pg"));
        Instant now = Instant.now();
        backup(dir, "postgres", now.minus(Duration.ofDays(1)), ".sql", true);
        backup(dir, "postgres_orders", now.minus(Duration.ofHours(1)), ".sql", true); // newer, other database
        backup(dir, "postgres_orders_eu", now.minus(Duration.ofMinutes(5)), ".sql.zst.age", false);
        Files.writeString(dir.resolve("postgres_latest.sql"), "hand-made copy");
        String base = "file://" + dir + "/";
        for (var c : List.of(List.of("postgres", ".sql"), List.of("postgres_orders", ".sql"), List.of("postgres_orders_eu", ".sql.zst.age"))) {
            RecordingStepContext ctx = new RecordingStepContext();
            Map<String, Object> out = run("latest", ctx, Map.of("prefix", base + c.get(0) + "_"));
            assertTrue(((String) out.get("key")).startsWith(c.get(0) + "_2"), out.toString());
            assertTrue(((String) out.get("key")).endsWith(c.get(1)), out.toString());
        }
        RecordingStepContext ctx = new RecordingStepContext();
        Map<String, Object> out = run("latest", ctx, Map.of("prefix", base + "postgres_"));
        assertEquals("plain", out.get("format"));
        assertEquals("none", out.get("encryption"));
        assertTrue(ctx.transcript().contains("ignored 2 backups of other names and 1 key not named"), ctx.transcript());
        assertEquals("age", run("latest", new RecordingStepContext(), Map.of("prefix", base + "postgres_orders_eu_")).get("encryption"));
    }

    @Test
    void catalogRecordsDrillsAndPruneKeepsTheDrilledOneAndDeletesCompanionsTogether() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pg"));
        Instant now = Instant.now();
        for (int days = 1; days <= 10; days++) {
            backup(dir, "app", now.minus(Duration.ofDays(days)), ".sql", true);
        }
        backup(dir, "app_orders", now.minus(Duration.ofDays(30)), ".sql", true);
        String base = "file://" + dir + "/";
        String drilled = base + "app_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(8))) + ".sql";
        String sha = Files.readString(Path.of(drilled.substring(7) + ".manifest.json")).replaceAll(".*\"sha256\":\"([0-9a-f]+)\".*", "$1").trim();
        Map<String, Object> rec = run("record-drill", new RecordingStepContext(), Map.of("backup", drilled, "passed", true,
                "recovery-ms", 4200L, "rows", 600L, "tables", 3L, "sha256", sha));
        assertEquals(true, rec.get("sha256-verified"));
        assertTrue(Files.exists(Path.of(drilled.substring(7) + ".drill.json")));

        Map<String, Object> catalog = run("catalog", new RecordingStepContext(), Map.of("location", base, "name", "app", "max-age", "36h"));
        assertEquals(10L, catalog.get("count"));
        assertEquals(false, catalog.get("stale"));
        assertEquals(1L, catalog.get("drilled"));
        assertEquals("passed", catalog.get("last-drill-result"));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> backups = (List<Map<String, Object>>) catalog.get("backups");
        Map<String, Object> eighth = backups.get(7);
        assertEquals(drilled, eighth.get("uri"));
        assertEquals(true, eighth.get("sha256_verified"));
        assertEquals(4200L, ((Map<?, ?>) eighth.get("drill")).get("recovery_ms"));
        assertEquals(true, run("catalog", new RecordingStepContext(), Map.of("location", base, "name", "app", "max-age", "12h")).get("stale"));

        // keep-last 3: keeps the 3 newest and the drilled one; app_orders' only backup is its newest
        RecordingStepContext ctx = new RecordingStepContext();
        Map<String, Object> pruned = run("prune", ctx, Map.of("location", base, "keep-last", 3L, "min-age", "1h"));
        assertEquals(6L, pruned.get("deleted"));
        assertEquals(12L, pruned.get("deleted-objects"), "each backup with its manifest");
        TreeSet<String> left = new TreeSet<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).forEach(left::add);
        }
        TreeSet<String> expected = new TreeSet<>();
        for (int days : new int[]{1, 2, 3, 8}) {
            String k = "app_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(days))) + ".sql";
            expected.add(k);
            expected.add(k + ".manifest.json");
        }
        expected.add(drilled.substring(base.length()) + ".drill.json");
        String orders = "app_orders_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(30))) + ".sql";
        expected.add(orders);
        expected.add(orders + ".manifest.json");
        assertEquals(expected, left);
        assertTrue(ctx.transcript().contains("newest backup that passed a restore drill"), ctx.transcript());
    }

    @Test
    void previewListsWhatGoesAndWhyWithoutDeleting() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("pg"));
        Instant now = Instant.now();
        for (int days = 1; days <= 4; days++) {
            backup(dir, "app", now.minus(Duration.ofDays(days)), ".sql", true);
        }
        String preview = action("prune").probe(Params.of(Map.of("location", "file://" + dir + "/", "keep-last", 2L)),
                new RecordingStepContext()).orElseThrow();
        assertTrue(preview.startsWith("delete 2 of 4 backups (4 objects), keep 2; set sha256:"), preview);
        assertTrue(preview.contains("(last 2, newest backup)"), preview);
        assertTrue(preview.contains(" + .manifest.json (no keep rule matches)"), preview);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(8, files.count(), "a preview deletes nothing");
        }
        assertTrue(action("prune").destructive(Params.of(Map.of())));
    }
}
