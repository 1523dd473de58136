package dev.runbook.executors.s3;

import dev.runbook.storage.BackupKeys;
import dev.runbook.testsupport.RecordingStepContext;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static dev.runbook.executors.s3.S3ActionsSupport.context;
import static dev.runbook.executors.s3.S3ActionsSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** latest, catalog and prune against S3Proxy, a real S3 API server run locally. */
class CatalogPruneIT {

    private static S3ProxyServer s3;

    @BeforeAll
    static void startServer() throws Exception {
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static String put(String bucket, String key, String content) {
        s3.client().putObject(p -> p.bucket(bucket).key(key), RequestBody.fromString(content));
        return key;
    }

    private static String key(String name, Instant when, String ext) {
        return "postgres/" + name + "_" + BackupKeys.TIMESTAMP.format(when) + ext;
    }

    @Test
    void latestOnS3TakesTheExactNameAmongNamesSharingAPrefix() throws Exception {
        String bucket = s3.createBucket("latest-names");
        Instant now = Instant.now();
        put(bucket, key("postgres", now.minus(Duration.ofDays(1)), ".sql"), "a");
        put(bucket, key("postgres_orders", now.minus(Duration.ofHours(2)), ".dump.zst"), "b");
        put(bucket, key("postgres_orders_archive", now.minus(Duration.ofHours(1)), ".sql.age"), "c");
        put(bucket, "postgres/postgres_20261301T000000Z.sql", "month 13: not a timestamp");
        RecordingStepContext ctx = context(s3);
        Map<String, Object> out = run("latest", s3, ctx, Map.of("prefix", "s3://" + bucket + "/postgres/postgres_")).asMap();
        assertEquals(key("postgres", now.minus(Duration.ofDays(1)), ".sql"), out.get("key"));
        assertTrue(ctx.transcript().contains("ignored 2 backups of other names and 1 key not named"), ctx.transcript());
        Map<String, Object> orders = run("latest", s3, context(s3), Map.of("prefix", "s3://" + bucket + "/postgres/postgres_orders_")).asMap();
        assertEquals("custom", orders.get("format"));
        assertEquals("zstd", orders.get("compression"));
    }

    @Test
    void catalogPaginatesPastOneListingPage() throws Exception {
        String bucket = s3.createBucket("catalog-many");
        Instant start = Instant.parse("2024-01-01T02:00:00Z");
        IntStream.range(0, 1100).parallel().forEach(i -> put(bucket, key("db", start.plus(Duration.ofHours(6L * i)), ".sql"), "x" + i));
        Map<String, Object> out = run("catalog", s3, context(s3), Map.of("location", "s3://" + bucket + "/postgres/")).asMap();
        assertEquals(1100L, out.get("count"));
        assertEquals("s3://" + bucket + "/" + key("db", start.plus(Duration.ofHours(6L * 1099)), ".sql"), out.get("newest-uri"));
    }

    @Test
    void pruneDeletesExactlyTheUnkeptBackupsWithTheirManifestsAndAbortsStaleUploads() throws Exception {
        String bucket = s3.createBucket("prune");
        Instant now = Instant.now();
        TreeSet<String> expectedLeft = new TreeSet<>();
        for (int d = 1; d <= 40; d++) {
            Instant t = now.minus(Duration.ofDays(d));
            String k = put(bucket, key("app", t, ".sql.gz"), "dump " + d);
            put(bucket, k + ".manifest.json", "{\"sha256\":\"00\"}");
        }
        put(bucket, "postgres/notes.txt", "not a backup: untouched");
        String upload = s3.client().createMultipartUpload(c -> c.bucket(bucket).key("postgres/app_20991231T000000Z.sql")).uploadId();

        RecordingStepContext ctx = context(s3);
        Map<String, Object> out = run("prune", s3, ctx, Map.of("location", "s3://" + bucket + "/postgres/",
                "keep-last", 3L, "keep-within", "10d", "min-age", "1h", "abort-uploads-older-than", "0s")).asMap();
        // kept: the 9 backups younger than 10 days (days 1..9); the other 31 go, each with its manifest
        assertEquals(31L, out.get("deleted"));
        assertEquals(62L, out.get("deleted-objects"));
        assertEquals(9L, out.get("kept"));
        for (int d = 1; d <= 9; d++) {
            String k = key("app", now.minus(Duration.ofDays(d)), ".sql.gz");
            expectedLeft.add(k);
            expectedLeft.add(k + ".manifest.json");
        }
        expectedLeft.add("postgres/notes.txt");
        List<S3Object> left = s3.client().listObjectsV2Paginator(l -> l.bucket(bucket)).contents().stream().toList();
        assertEquals(expectedLeft, left.stream().map(S3Object::key).collect(Collectors.toCollection(TreeSet::new)));
        assertEquals(1L, out.get("aborted-uploads"), ctx.transcript());
        assertTrue(s3.client().listMultipartUploads(l -> l.bucket(bucket)).uploads().stream()
                .noneMatch(u -> u.uploadId().equals(upload)), "the incomplete upload is aborted");
    }
}
