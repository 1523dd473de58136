package dev.runbook.e2e;

import dev.runbook.testsupport.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * pg_dump killed mid-stream, seen as a user sees it: {@code bin/runbook} as a separate process
 * (the packaged jar and its logging), stdout and stderr read apart. The streamed multipart upload
 * to a real S3 server (S3Proxy) is aborted. What must hold: one clear failure that says how much
 * pg_dump had written, no progress line claiming 100%, and no library stack trace on stderr
 * (Netty's "Failed to mark a promise as failure" / IllegalReferenceCountException).
 */
class KilledDumpProcessIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final String DATABASE = "killed_dump_process";
    private static final String BUCKET = "killed-dump-process";
    private static PostgresCluster pg;
    private static FileBackedS3Proxy s3;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresCluster.shared();
        s3 = FileBackedS3Proxy.start();
        s3.createBucket(BUCKET);
        // about 80 MB of dump: pg_dump streams for seconds, long enough to kill it mid-COPY
        pg.createDatabase(DATABASE);
        pg.execute(DATABASE, "CREATE TABLE blob (id int PRIMARY KEY, payload text NOT NULL);"
                + "INSERT INTO blob SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 300000) g");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void aKilledDumpFailsWithOneClearMessageAndNothingOnStderrFromLibraries() throws Exception {
        assertTrue(Files.isRegularFile(PROJECT.resolve("target/runbook.jar")), "run mvn package first");
        Files.writeString(dir.resolve("dump.yaml"), """
                name: killed-dump
                steps:
                  - id: dump
                    uses: postgres.dump
                    with:
                      to: s3://%s/postgres/
                      database: %s
                      storage: { part-size: %d }
                """.formatted(BUCKET, DATABASE, 5 * 1024 * 1024));
        ProcessBuilder pb = new ProcessBuilder(PROJECT.resolve("bin/runbook").toString(), "run", "dump.yaml",
                "--state-dir", dir.resolve("state").toString()).directory(dir.toFile());
        pb.environment().putAll(s3.env());
        pb.environment().put("PGHOST", pg.host());
        pb.environment().put("PGPORT", Integer.toString(pg.port()));
        pb.environment().put("PGUSER", pg.superuser());
        pb.environment().put("PGPASSWORD", PostgresCluster.SUPERUSER_PASSWORD);
        pb.redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger kills = new AtomicInteger();
        CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                kills.addAndGet((int) pg.queryLong("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = '" + DATABASE + "' AND query LIKE 'COPY public.blob%'"
                        + " AND now() - query_start > interval '300 milliseconds'"));
                sleep(20);
            }
        });
        Process p = pb.start();
        boolean ended;
        try {
            ended = p.waitFor(3, TimeUnit.MINUTES);
        } finally {
            stop.set(true);
            killer.get(10, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
        String out = Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8);
        String err = Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8);
        String all = "--- stdout\n" + out + "--- stderr\n" + err;
        assertTrue(ended, "runbook did not end\n" + all);
        assertTrue(kills.get() >= 1, "pg_dump was never killed\n" + all);

        assertEquals(1, p.exitValue(), all);
        assertTrue(out.contains("pg_dump of " + DATABASE + "@") && out.contains("failed (exit")
                && out.contains(" of output: ") && out.contains("nothing was stored"), all);
        assertFalse(out.contains("(100%)"), "a killed dump reported 100%\n" + all);
        for (String noise : List.of("IllegalReferenceCountException", "Failed to mark a promise", "\tat io.netty", "Exception in thread")) {
            assertFalse(err.contains(noise), "stderr holds a library's stack trace (" + noise + ")\n" + all);
        }
        assertEquals(List.of(), s3.keys(BUCKET, "postgres/"), "an object was stored");
        assertEquals(List.of(), s3.openUploads(BUCKET, "postgres/"), "the multipart upload was not aborted");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
