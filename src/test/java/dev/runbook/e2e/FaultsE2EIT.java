package dev.runbook.e2e;

import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.HostTools;
import dev.runbook.testsupport.PostgresCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Faults injected under the team's runbooks, run through the real CLI: a dump that fails
 * (lock timeout, backend killed mid-stream), the S3 endpoint dying during the upload
 * (S3Proxy over a directory, killed with SIGKILL and started again), a corrupted object, a
 * dump with a failing statement, and a second backup while one is running. What must hold:
 * the exit code says so, nothing half-written is left under the prefix, and a database the
 * restore was refused for is unchanged.
 *
 * <p>backup.yaml retries the dump once after 30 s; the failing cases here wait for that.
 */
class FaultsE2EIT {

    private static final String PART_SIZE = Integer.toString(5 * 1024 * 1024);
    private static PostgresCluster pg;
    private static FileBackedS3Proxy s3;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresCluster.shared();
        s3 = FileBackedS3Proxy.start();
        // about 80 MB of dump: pg_dump runs for a few seconds, long enough to break it mid-stream
        pg.createDatabase("fault_big");
        pg.execute("fault_big", "CREATE TABLE blob (id int PRIMARY KEY, payload text NOT NULL);"
                + "INSERT INTO blob SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 300000) g");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private RunbookCli cli(String bucket) {
        s3.createBucket(bucket);
        return new RunbookCli(work).env(s3.env()).env("BACKUP_BUCKET", bucket)
                .env("PGHOST", pg.host()).env("PGPORT", Integer.toString(pg.port()))
                .env("PGUSER", pg.superuser()).env("PGPASSWORD", RunbookCli.E2E_PASSWORD);
    }

    private static void assertExit(int expected, RunbookCli.Result r) {
        assertEquals(expected, r.exitCode(), r::toString);
    }

    private static void assertNothingStored(String bucket) {
        assertEquals(List.of(), s3.keys(bucket, "postgres/"), "no object under the prefix");
    }

    // ---------------------------------------------------------------- the dump fails

    @Test
    void aDumpBlockedByALockFailsBothAttemptsAndStoresNothing() throws Exception {
        ShopData.create(pg, "fault_locked", 50);
        RunbookCli cli = cli("fault-lock");
        RunbookCli.Result r;
        try (Connection locker = pg.connect("fault_locked"); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE orders IN ACCESS EXCLUSIVE MODE"); // a migration holding its lock
            r = cli.runbookRun("backup", "database", "fault_locked", "lock_wait_timeout", "1s");
            locker.rollback();
        }
        assertExit(1, r);
        assertTrue(r.all().contains("pg_dump of fault_locked@") && r.all().contains("nothing was stored"), r::toString);
        assertTrue(r.all().contains("timeout"), "pg_dump's own reason is shown\n" + r);
        String journal = cli.show(r.runId());
        assertTrue(journal.contains("attempt 2/2"), "backup.yaml's retry (2 attempts) was honoured\n" + journal);
        assertNothingStored("fault-lock");
        assertEquals(List.of(), s3.openUploads("fault-lock", "postgres/"));
    }

    @Test
    void aDumpKilledMidStreamStoresNothing() throws Exception {
        RunbookCli cli = cli("fault-killed");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger kills = new AtomicInteger();
        // kill pg_dump's backend once its COPY of the big table has streamed for a while, each attempt
        CompletableFuture<Void> killer = CompletableFuture.runAsync(() -> {
            while (!stop.get()) {
                long n = pg.queryLong("postgres", "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE datname = 'fault_big' AND query LIKE 'COPY public.blob%'"
                        + " AND now() - query_start > interval '100 milliseconds'");
                kills.addAndGet((int) n);
                sleep(20);
            }
        });
        RunbookCli.Result r;
        try {
            r = cli.runbookRun("backup", "database", "fault_big", "part_size", PART_SIZE);
        } finally {
            stop.set(true);
            killer.get(10, TimeUnit.SECONDS);
        }
        assertExit(1, r);
        assertTrue(kills.get() >= 2, "each attempt's pg_dump was killed\n" + r);
        assertTrue(r.all().contains("pg_dump of fault_big@") && r.all().contains("nothing was stored"), r::toString);
        // killed during COPY, i.e. after the schema and while the rows were streaming into the upload
        assertFalse(r.out().contains("stored s3://"), r::toString);
        assertNothingStored("fault-killed");
        assertEquals(List.of(), s3.openUploads("fault-killed", "postgres/"), "the multipart upload was aborted");
    }

    // ---------------------------------------------------------------- the S3 endpoint dies

    /** Kills S3Proxy once a multipart upload under the bucket has started and some parts went up. */
    private static CompletableFuture<Void> killS3DuringUpload(String bucket) {
        return CompletableFuture.runAsync(() -> {
            long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
            while (System.nanoTime() < deadline) {
                if (!s3.openUploads(bucket, "postgres/").isEmpty()) {
                    sleep(300); // the first parts are going up; the ~80 MB dump is far from done
                    s3.kill();
                    return;
                }
                sleep(50);
            }
            throw new AssertionError("no upload started within 2 minutes");
        });
    }

    @Test
    void theS3EndpointDyingDuringTheUploadFailsClearlyAndLeavesNoObject() throws Exception {
        RunbookCli cli = cli("fault-s3down");
        CompletableFuture<Void> killer = killS3DuringUpload("fault-s3down");
        RunbookCli.Result r;
        try {
            r = cli.runbookRun("backup", "database", "fault_big", "part_size", PART_SIZE);
            killer.get(10, TimeUnit.SECONDS);
        } finally {
            s3.startProcess(); // same port, same directory
        }
        System.out.println("[S3 down] " + r);
        assertExit(1, r);
        assertTrue(r.all().contains("s3://fault-s3down/postgres/postgres_"), "names the object\n" + r);
        assertTrue(cli.show(r.runId()).contains("attempt 2/2"), "retried once, as backup.yaml says");
        assertNothingStored("fault-s3down");
        // The abort could not reach a dead endpoint, so the started multipart upload is left on the
        // server: invisible (no object), and what apply-lifecycle.yaml's rule that aborts incomplete
        // multipart uploads after 7 days is for. It may hold only parts of the key that failed.
        List<String> open = s3.openUploads("fault-s3down", "postgres/");
        System.out.println("[S3 down] open multipart uploads after restart: " + open);
        assertTrue(open.stream().allMatch(u -> u.startsWith(r.all().replaceAll("(?s).*(postgres/postgres_\\d{8}T\\d{6}Z\\.sql).*", "$1"))), open::toString);
        System.out.println("[S3 down] message: " + r.all().lines().filter(l -> l.startsWith("✗")).toList());
    }

    @Test
    void theS3EndpointBackBeforeTheRetryGivesACompleteBackup() throws Exception {
        RunbookCli cli = cli("fault-s3back");
        CompletableFuture<Void> killer = killS3DuringUpload("fault-s3back");
        CompletableFuture<RunbookCli.Result> run = CompletableFuture.supplyAsync(
                () -> cli.runbookRun("backup", "database", "fault_big", "part_size", PART_SIZE));
        killer.get(3, TimeUnit.MINUTES);
        sleep(2000);
        s3.startProcess(); // back well within backup.yaml's 30 s retry delay
        RunbookCli.Result r = run.get(5, TimeUnit.MINUTES);

        assertExit(0, r);
        String journal = cli.show(r.runId());
        assertTrue(journal.contains("attempt 1/2") && journal.contains("attempt 2/2"), journal);
        String key = r.requireOutput("uri").substring("s3://fault-s3back/".length());
        assertEquals(List.of(key, key + ".manifest.json"), s3.keys("fault-s3back", "postgres/"),
                "one complete backup, nothing from the broken attempt");
        byte[] stored = s3.client().getObjectAsBytes(b -> b.bucket("fault-s3back").key(key)).asByteArray();
        assertEquals(r.requireOutput("sha256"), RunbooksE2EIT.sha256(stored));
        System.out.println("[S3 back] open multipart uploads after success: " + s3.openUploads("fault-s3back", "postgres/"));
    }

    // ---------------------------------------------------------------- bad backups are refused

    @Test
    void aCorruptedObjectIsRefusedAndTheTargetIsUnchanged() throws Exception {
        ShopData.create(pg, "fault_corrupt_src", 100);
        ShopData.create(pg, "fault_corrupt_target", 20);
        RunbookCli cli = cli("fault-corrupt");
        RunbookCli.Result backup = cli.runbookRun("backup", "database", "fault_corrupt_src");
        assertExit(0, backup);
        String key = backup.requireOutput("uri").substring("s3://fault-corrupt/".length());

        // flip bytes inside a data row, keeping it valid SQL: only the checksum can tell
        String dump = new String(s3.client().getObjectAsBytes(b -> b.bucket("fault-corrupt").key(key)).asByteArray(),
                StandardCharsets.UTF_8);
        assertTrue(dump.contains("client 17 "));
        String corrupted = dump.replaceFirst("client 17 ", "client 71 ");
        s3.client().putObject(b -> b.bucket("fault-corrupt").key(key), RequestBody.fromString(corrupted, StandardCharsets.UTF_8));

        Map<String, String> before = ShopData.fingerprint(pg, "fault_corrupt_target");
        RunbookCli.Result clean = cli.run("run", RunbookCli.runbook("restore"), "--input", "database=fault_corrupt_target",
                "--input", "clean=true", "--approve", "load");
        assertExit(1, clean);
        assertTrue(clean.all().contains("SHA-256") || clean.all().contains("sha256"), clean::toString);
        assertEquals(before, ShopData.fingerprint(pg, "fault_corrupt_target"), "the target is as it was");
        assertFalse(ShopData.exists(pg, "fault_corrupt_target_runbook_restore"), "no staging copy left behind");

        RunbookCli.Result fresh = cli.runbookRun("restore", "database", "fault_corrupt_new");
        assertExit(1, fresh);
        assertTrue(!ShopData.exists(pg, "fault_corrupt_new") || ShopData.tables(pg, "fault_corrupt_new") == 0,
                "nothing of the corrupted dump was committed");
    }

    @Test
    void aDumpWithAFailingStatementLeavesTheDatabaseUnchanged() throws Exception {
        ShopData.create(pg, "fault_bad_src", 60);
        ShopData.create(pg, "fault_bad_target", 10);
        RunbookCli cli = cli("fault-badsql");
        String dump = Exec.run(List.of(HostTools.pgTool("pg_dump"), "fault_bad_src"), pg.clientEnv("fault_bad_src"), null,
                Duration.ofMinutes(1)).orThrow().stdout();
        int afterFirstCopy = dump.indexOf("\n\\.\n") + 4;
        String bad = dump.substring(0, afterFirstCopy) + "INSERT INTO no_such_table VALUES (1);\n" + dump.substring(afterFirstCopy);
        s3.client().putObject(b -> b.bucket("fault-badsql").key("postgres/postgres_20261124T030000Z.sql"),
                RequestBody.fromString(bad, StandardCharsets.UTF_8));

        Map<String, String> before = ShopData.fingerprint(pg, "fault_bad_target");
        RunbookCli.Result clean = cli.run("run", RunbookCli.runbook("restore"), "--input", "database=fault_bad_target",
                "--input", "clean=true", "--approve", "load");
        assertExit(1, clean);
        assertTrue(clean.all().contains("no_such_table"), "psql's error is shown\n" + clean);
        assertEquals(before, ShopData.fingerprint(pg, "fault_bad_target"));
        assertFalse(ShopData.exists(pg, "fault_bad_target_runbook_restore"));

        RunbookCli.Result fresh = cli.runbookRun("restore", "database", "fault_bad_new");
        assertExit(1, fresh);
        assertTrue(fresh.all().contains("rolled back"), fresh::toString);
        assertEquals(0, ShopData.tables(pg, "fault_bad_new"), "one transaction: nothing before the error was kept");
    }

    // ---------------------------------------------------------------- one run at a time

    @Test
    void aSecondBackupWhileTheFirstRunsExitsFour() throws Exception {
        ShopData.create(pg, "fault_held", 30);
        RunbookCli cli = cli("fault-held");
        try (Connection locker = pg.connect("fault_held"); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE customers IN ACCESS EXCLUSIVE MODE"); // keeps the first run's pg_dump waiting
            CompletableFuture<RunbookCli.Result> first = CompletableFuture.supplyAsync(
                    () -> cli.runbookRun("backup", "database", "fault_held"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (pg.queryLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'fault_held'"
                    + " AND wait_event_type = 'Lock'") == 0) {
                assertTrue(System.nanoTime() < deadline, "the first run's pg_dump never waited on the lock");
                assertFalse(first.isDone(), () -> "the first run ended early: " + first.join());
                sleep(100);
            }

            RunbookCli.Result second = cli.runbookRun("backup", "database", "fault_held");
            assertExit(4, second);
            assertTrue(second.all().contains("backup"), second::toString);

            locker.rollback();
            RunbookCli.Result done = first.get(2, TimeUnit.MINUTES);
            assertExit(0, done);
        }
        assertEquals(2, s3.keys("fault-held", "postgres/").size(), "exactly one backup (and its manifest)");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
