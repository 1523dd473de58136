package dev.runbook.e2e;

import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.S3MockServer;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 3 end to end: the team's runbooks ({@code runbooks/*.yaml}) run through the real
 * command line (in-process {@code Main.run}) against a real PostgreSQL 15 (throwaway host
 * cluster), a real S3 API server (S3Proxy in a child JVM; S3Mock for lifecycle rules, which
 * S3Proxy does not implement) and a local directory (file://). The environment the CLI sees is
 * exactly the one today's scripts use: PGHOST/PGPORT/PGUSER/PGPASSWORD, AWS_* and BACKUP_BUCKET.
 */
class RunbooksE2EIT {

    private static PostgresCluster pg;
    private static S3ProxyServer s3;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        pg = PostgresCluster.shared();
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** A CLI whose environment points at the cluster and at S3Proxy, with its own bucket. */
    private RunbookCli cli(String bucket) {
        s3.createBucket(bucket);
        RunbookCli cli = new RunbookCli(work);
        cli.env(s3.env())
                .env("AWS_ENDPOINT_URL", s3.endpoint().toString())
                .env("BACKUP_BUCKET", bucket);
        pgEnv(cli);
        return cli;
    }

    private static void pgEnv(RunbookCli cli) {
        cli.env("PGHOST", pg.host()).env("PGPORT", Integer.toString(pg.port()))
                .env("PGUSER", pg.superuser()).env("PGPASSWORD", RunbookCli.E2E_PASSWORD);
    }

    private static List<String> keys(String bucket) {
        return s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).sorted().toList();
    }

    private static byte[] get(String bucket, String key) {
        return s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static void assertExit(int expected, RunbookCli.Result r) {
        assertEquals(expected, r.exitCode(), () -> r.toString());
    }

    @Test
    void backupToS3ThenRestoreVerifyAndRefuseToOverwrite() throws Exception {
        ShopData.create(pg, "e2e_shop", 300);
        RunbookCli cli = cli("e2e-backups");

        RunbookCli.Result backup = cli.runbookRun("backup", "database", "e2e_shop");
        assertExit(0, backup);
        assertTrue(backup.out().contains("SUCCEEDED"), backup::toString);
        String uri = backup.requireOutput("uri");
        assertTrue(uri.matches("s3://e2e-backups/postgres/postgres_\\d{8}T\\d{6}Z\\.sql"), uri);
        String key = uri.substring("s3://e2e-backups/".length());
        assertEquals(List.of(key, key + ".manifest.json"), keys("e2e-backups"), "the dump and its manifest, nothing else");

        byte[] dump = get("e2e-backups", key);
        assertEquals(backup.requireOutput("sha256"), sha256(dump));
        assertEquals(Long.toString(dump.length), backup.requireOutput("size"));
        String text = new String(dump, StandardCharsets.UTF_8);
        assertTrue(text.contains("Zoë Ødegård"), "plain SQL, restorable with psql -f");
        assertTrue(text.substring(Math.max(0, text.length() - 200)).contains("-- PostgreSQL database dump complete"),
                "a complete dump (pg_dump's trailer at the end)");
        String manifest = new String(get("e2e-backups", key + ".manifest.json"), StandardCharsets.UTF_8);
        assertTrue(manifest.contains(sha256(dump)), manifest);
        assertTrue(manifest.contains("\"public.orders\" : 1500") || manifest.contains("\"public.orders\":1500"), manifest);
        assertFalse(backup.all().contains(RunbookCli.E2E_PASSWORD), "the password is never printed");

        RunbookCli.Result restore = cli.runbookRun("restore", "database", "e2e_shop_restored");
        assertExit(0, restore);
        assertEquals(uri, restore.requireOutput("backup"));
        assertEquals("2", restore.requireOutput("tables"));
        assertEquals("1800", restore.requireOutput("rows"));
        assertTrue(restore.out().contains("all row counts match the backup"), restore::toString);
        assertEquals(ShopData.fingerprint(pg, "e2e_shop"), ShopData.fingerprint(pg, "e2e_shop_restored"));
        assertEquals(pg.queryString("e2e_shop", "SELECT sum(spent)::text FROM big_spenders"),
                pg.queryString("e2e_shop_restored", "SELECT sum(spent)::text FROM big_spenders"), "the view came back");

        RunbookCli.Result verify = cli.runbookRun("verify", "database", "e2e_shop_restored", "backup", uri);
        assertExit(0, verify);
        assertEquals("2", verify.requireOutput("tables"));
        assertEquals("1800", verify.requireOutput("rows"));

        // today's check (count of information_schema.tables) is never 0; verify.yaml's is
        pg.createDatabase("e2e_empty");
        RunbookCli.Result empty = cli.runbookRun("verify", "database", "e2e_empty");
        assertExit(1, empty);
        assertTrue(empty.all().contains("e2e_empty"), empty::toString);

        // a second restore on top of the restored data is refused; nothing changes
        pg.execute("e2e_shop_restored", "INSERT INTO customers (name) VALUES ('added after the restore')");
        var before = ShopData.fingerprint(pg, "e2e_shop_restored");
        RunbookCli.Result again = cli.runbookRun("restore", "database", "e2e_shop_restored");
        assertExit(1, again);
        assertTrue(again.all().contains("is not empty"), again::toString);
        assertEquals(before, ShopData.fingerprint(pg, "e2e_shop_restored"));

        // with clean: true it replaces the database, but only with approval (exit 5 without)
        RunbookCli.Result unapproved = cli.runbookRun("restore", "database", "e2e_shop_restored", "clean", "true");
        assertExit(5, unapproved);
        assertEquals(before, ShopData.fingerprint(pg, "e2e_shop_restored"));
        RunbookCli.Result clean = cli.run("run", RunbookCli.runbook("restore"), "--input", "database=e2e_shop_restored",
                "--input", "clean=true", "--approve", "load");
        assertExit(0, clean);
        assertEquals(ShopData.fingerprint(pg, "e2e_shop"), ShopData.fingerprint(pg, "e2e_shop_restored"));
    }

    @Test
    void customFormatWithZstdRestoresWithTwoJobs() {
        ShopData.create(pg, "e2e_custom", 200);
        RunbookCli cli = cli("e2e-custom");
        RunbookCli.Result backup = cli.runbookRun("backup", "database", "e2e_custom", "format", "custom", "compression", "zstd");
        assertExit(0, backup);
        assertTrue(backup.requireOutput("uri").endsWith(".dump.zst"), backup::toString);

        RunbookCli.Result restore = cli.runbookRun("restore", "database", "e2e_custom_restored", "jobs", "2");
        assertExit(0, restore);
        assertTrue(restore.out().contains("pg_restore (2 jobs)"), restore::toString);
        assertEquals(ShopData.fingerprint(pg, "e2e_custom"), ShopData.fingerprint(pg, "e2e_custom_restored"));
    }

    @Test
    void restoreDrillReportsRecoveryTimeAndAgeAndDropsTheScratchDatabase() throws Exception {
        ShopData.create(pg, "e2e_drill", 100);
        RunbookCli cli = cli("e2e-drill");
        assertExit(0, cli.runbookRun("backup", "database", "e2e_drill"));
        // a newer backup of another database whose name starts with the same prefix (postgres_orders_...):
        // the drill of name=postgres must not load it (its row count would differ from 600)
        ShopData.create(pg, "e2e_drill_orders", 20);
        Thread.sleep(1100); // a later timestamp in the key
        assertExit(0, cli.runbookRun("backup", "database", "e2e_drill_orders", "name", "postgres_orders"));

        // unattended, as in cron: the one destructive step (dropping its own scratch database) pre-approved
        RunbookCli.Result drill = cli.run("run", RunbookCli.runbook("restore-drill"), "--approve", "drop-scratch");
        assertExit(0, drill);
        long recovery = Long.parseLong(drill.requireOutput("recovery_time_ms"));
        long age = Long.parseLong(drill.requireOutput("backup_age_seconds"));
        assertTrue(recovery > 0 && recovery < 120_000, drill::toString);
        assertTrue(age >= 0 && age < 300, drill::toString);
        assertEquals("600", drill.requireOutput("rows"));
        assertTrue(drill.out().contains("✓ drop-scratch"), drill::toString);
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'restore_drill_%'"),
                "the scratch database is gone");

        // the drill recorded its result beside the backup it used: the catalog shows it
        RunbookCli.Result listing = cli.run("backups", "--name", "postgres", "--max-age", "26h");
        assertExit(0, listing);
        String newest = listing.out().lines().skip(2).findFirst().orElseThrow();
        assertTrue(newest.contains("recorded, verified") && newest.contains("passed 20"), listing::toString);
        RunbookCli.Result all = cli.run("backups", "--format", "json");
        assertTrue(all.out().contains("\"name\" : \"postgres_orders\""), all::toString);

        // the recovery point objective: a backup older than max_age fails the drill before it changes anything
        Thread.sleep(2100);
        RunbookCli.Result stale = cli.run("run", RunbookCli.runbook("restore-drill"), "--approve", "drop-scratch",
                "--input", "max_age=1s");
        assertExit(1, stale);
        assertTrue(stale.all().contains("older than max_age"), stale::toString);
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'restore_drill_%'"));
    }

    @Test
    void fileLocationBackupAndRestoreWithoutAnyCloud() throws Exception {
        ShopData.create(pg, "e2e_file", 150);
        RunbookCli cli = new RunbookCli(work);
        pgEnv(cli);
        String location = "file://" + work.resolve("backups/postgres") + "/";

        RunbookCli.Result backup = cli.runbookRun("backup", "location", location, "database", "e2e_file");
        assertExit(0, backup);
        Path dump = Path.of(backup.requireOutput("uri").substring("file://".length()));
        assertTrue(Files.isRegularFile(dump), backup::toString);
        assertTrue(Files.isRegularFile(Path.of(dump + ".manifest.json")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dump)), "a dump holds the data: 0600");
        assertEquals(backup.requireOutput("sha256"), sha256(Files.readAllBytes(dump)));

        RunbookCli.Result restore = cli.runbookRun("restore", "location", location, "database", "e2e_file_restored");
        assertExit(0, restore);
        assertEquals(ShopData.fingerprint(pg, "e2e_file"), ShopData.fingerprint(pg, "e2e_file_restored"));

        // no location and no BACKUP_BUCKET: refused before anything runs, naming what to set
        RunbookCli.Result missing = cli.runbookRun("backup", "database", "e2e_file");
        assertExit(2, missing);
        assertTrue(missing.all().contains("location"), missing::toString);
    }

    @Test
    void applyLifecycleTwiceChangesNothingTheSecondTimeAndKeepsOtherRules() throws Exception {
        try (S3MockServer mock = S3MockServer.start()) {
            mock.createBucket("e2e-lifecycle");
            // a rule someone else owns: the runbook must merge, not replace the configuration
            mock.client().putBucketLifecycleConfiguration(b -> b.bucket("e2e-lifecycle").lifecycleConfiguration(
                    BucketLifecycleConfiguration.builder().rules(LifecycleRule.builder().id("logs-expire")
                            .filter(LifecycleRuleFilter.builder().prefix("logs/").build())
                            .status(ExpirationStatus.ENABLED)
                            .expiration(e -> e.days(30)).build()).build()));
            RunbookCli cli = new RunbookCli(work);
            cli.env(mock.env()).env("AWS_ENDPOINT_URL", mock.endpoint().toString()).env("BACKUP_BUCKET", "e2e-lifecycle");

            RunbookCli.Result first = cli.runbookRun("apply-lifecycle");
            assertExit(0, first);
            assertEquals("true", first.requireOutput("changed"));
            RunbookCli.Result second = cli.runbookRun("apply-lifecycle");
            assertExit(0, second);
            assertEquals("false", second.requireOutput("changed"), second::toString);

            List<LifecycleRule> rules = mock.client().getBucketLifecycleConfiguration(b -> b.bucket("e2e-lifecycle")).rules();
            assertTrue(rules.stream().anyMatch(r -> r.id().equals("logs-expire")), rules::toString);
            assertTrue(rules.stream().anyMatch(r -> r.transitions().stream()
                    .anyMatch(t -> t.days() == 365 && t.storageClassAsString().equals("GLACIER"))
                    && "postgres/".equals(r.filter().prefix())), rules::toString);
        }
    }
}
