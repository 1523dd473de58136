package dev.runbook.executors.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.file.FileStore;
import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.HostTools;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The postgres executor against a real PostgreSQL 15 cluster on this host (Debian's
 * postgresql-15, started by {@link PostgresCluster} with SCRAM password auth over TCP) and
 * file:// storage in a temporary directory. Every test uses its own databases.
 */
class PostgresExecutorIT {

    private static final String TS = "20261125T020000Z";
    private static PostgresCluster pg;

    @TempDir
    Path backups;

    @BeforeAll
    static void cluster() {
        pg = PostgresCluster.sharedWithPasswords();
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static RecordingStepContext ctx() {
        return PgTestCluster.ctx(pg);
    }

    private static String newDb(String prefix) {
        return PgTestCluster.newDb(prefix);
    }

    /** A database with two schemas, awkward names, NULLs, unicode and 1000+3 rows. */
    private static String sourceDb() {
        String db = newDb("src");
        pg.createDatabase(db);
        pg.execute(db, """
                CREATE TABLE public.customers (id int PRIMARY KEY, name text, note text);
                INSERT INTO public.customers SELECT g, 'row-' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE 'n''ote ü ' || g END
                  FROM generate_series(1, 1000) g;
                CREATE SCHEMA "Billing";
                CREATE TABLE "Billing"."Invoice Lines" (id serial PRIMARY KEY, customer int REFERENCES public.customers, amount numeric(10,2));
                INSERT INTO "Billing"."Invoice Lines" (customer, amount) VALUES (1, 10.50), (2, 20.00), (7, 0.01);
                CREATE TABLE public.empty_one (x int);
                """);
        return db;
    }

    /** Everything in the database, order-independent, as one fingerprint. */
    private static String fingerprint(String db) {
        return pg.queryString(db, "SELECT md5(string_agg(t, '|' ORDER BY t)) FROM ("
                + " SELECT 'c' || c::text AS t FROM public.customers c"
                + " UNION ALL SELECT 'i' || i::text FROM \"Billing\".\"Invoice Lines\" i) x")
                + "/" + pg.queryLong(db, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema')");
    }

    private static long userTables(String db) {
        return pg.queryLong(db, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog','information_schema')");
    }

    private Map<String, Object> dumpParams(String db) {
        Map<String, Object> p = new HashMap<>();
        p.put("to", backups.toUri().toString());
        p.put("database", db);
        return p;
    }

    private static Outputs run(dev.runbook.spi.Action action, Map<String, Object> params, RecordingStepContext ctx) throws Exception {
        return action.execute(Params.of(params), ctx);
    }

    private Outputs dump(String db, Map<String, Object> extra) throws Exception {
        Map<String, Object> p = dumpParams(db);
        p.putAll(extra);
        return run(new DumpAction(), p, ctx());
    }

    private static Outputs restore(String uri, String target, Map<String, Object> extra, RecordingStepContext ctx) throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("from", uri, "database", target, "create-database", true));
        p.putAll(extra);
        return run(new RestoreAction(), p, ctx);
    }

    private List<String> filesUnder(Path dir) throws Exception {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).map(p -> dir.relativize(p).toString()).sorted().toList();
        }
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    // ---- dump and restore ---------------------------------------------------------------------

    @Test
    void plainDumpRestoresIntoAFreshDatabaseWithIdenticalRows() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of());

        String key = "postgres_" + TS + ".sql";
        assertEquals(key, out.asMap().get("key"));
        Path file = backups.resolve(key);
        assertTrue(Files.isRegularFile(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(sha256(file), out.asMap().get("sha256"));
        assertEquals(Files.size(file), out.asMap().get("size"));
        assertEquals(out.asMap().get("sha256"), new FileStore(backups).stat(key).orElseThrow().metadata().get("sha256"));

        JsonNode manifest = new ObjectMapper().readTree(backups.resolve(key + ".manifest.json").toFile());
        assertEquals(out.asMap().get("sha256"), manifest.get("sha256").asText());
        assertEquals(src, manifest.get("database").asText());
        assertEquals("plain", manifest.get("format").asText());
        assertEquals(1000, manifest.get("tables").get("public.customers").asLong());
        assertEquals(3, manifest.get("tables").get("Billing.Invoice Lines").asLong());
        assertEquals(0, manifest.get("tables").get("public.empty_one").asLong());
        assertTrue(manifest.get("tables_snapshot").asBoolean());
        assertTrue(manifest.get("server_version").asText().startsWith("15"));
        assertEquals("test-run", manifest.get("run_id").asText());

        String target = newDb("dst");
        RecordingStepContext ctx = ctx();
        Outputs restored = restore(out.asMap().get("uri").toString(), target, Map.of(), ctx);
        assertEquals(fingerprint(src), fingerprint(target));
        assertEquals(out.asMap().get("sha256"), restored.asMap().get("sha256"));
        assertEquals(target, restored.asMap().get("database"));

        Outputs verified = run(new VerifyAction(), Map.of("database", target, "manifest", out.asMap().get("uri")), ctx());
        assertEquals(3L, verified.asMap().get("tables"));
        assertEquals(1003L, verified.asMap().get("rows"));
        assertEquals(List.of(), verified.asMap().get("mismatches"));
    }

    @Test
    void plainUncompressedDumpRestoresByHandWithPsqlF() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of());
        String target = newDb("byhand");
        pg.createDatabase(target);
        Exec.Result r = Exec.run(List.of(HostTools.pgTool("psql"), "-X", "-v", "ON_ERROR_STOP=1", "-q",
                        "-f", backups.resolve(out.asMap().get("key").toString()).toString()),
                pg.clientEnv(target), backups, Duration.ofSeconds(60));
        assertTrue(r.ok(), r.stderr());
        assertEquals(fingerprint(src), fingerprint(target));
    }

    @Test
    void handMadeDumpRestoresWithTheRestoreAction() throws Exception {
        String src = sourceDb();
        Path dir = backups.resolve("postgres");
        Files.createDirectories(dir);
        Path file = dir.resolve("postgres_202611240200.sql");
        ProcessBuilder byHand = new ProcessBuilder(HostTools.pgTool("pg_dump")).redirectOutput(file.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        byHand.environment().putAll(pg.clientEnv(src));
        assertEquals(0, byHand.start().waitFor());

        String target = newDb("handmade");
        RecordingStepContext ctx = ctx();
        restore(file.toUri().toString(), target, Map.of(), ctx);
        assertEquals(fingerprint(src), fingerprint(target));
        assertTrue(ctx.transcript().contains("no manifest"), ctx.transcript());
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "zstd"})
    void compressedRoundTrip(String compression) throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of("compression", compression, "name", "app"));
        String key = out.asMap().get("key").toString();
        assertEquals("app_" + TS + (compression.equals("gzip") ? ".sql.gz" : ".sql.zst"), key);
        byte[] stored = Files.readAllBytes(backups.resolve(key));
        // really compressed: gzip and zstd magic numbers
        if (compression.equals("gzip")) {
            assertEquals((byte) 0x1f, stored[0]);
            assertEquals((byte) 0x8b, stored[1]);
        } else {
            assertEquals((byte) 0x28, stored[0]);
            assertEquals((byte) 0xb5, stored[1]);
        }
        String target = newDb("dst_" + compression);
        restore(out.asMap().get("uri").toString(), target, Map.of(), ctx());
        assertEquals(fingerprint(src), fingerprint(target));
    }

    @Test
    void customFormatRestoresWithTwoJobsAndLeavesNoTemporaryFile() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of("format", "custom", "compression", "zstd"));
        assertTrue(out.asMap().get("key").toString().endsWith(".dump.zst"));
        String target = newDb("dst_custom");
        RecordingStepContext ctx = ctx();
        restore(out.asMap().get("uri").toString(), target, Map.of("jobs", 2), ctx);
        assertEquals(fingerprint(src), fingerprint(target));
        try (Stream<Path> left = Files.list(ctx.scratchDir())) {
            assertEquals(0, left.count(), "the downloaded dump is deleted afterwards");
        }
    }

    @Test
    void aCustomRestoreWithTwoJobsThatFailsLeavesTheTargetAsItWas() throws Exception {
        // the dump grants to a role that is gone by the time of the restore: pg_restore -j 2 has
        // created and loaded every table when the GRANT fails; over several connections that
        // cannot be rolled back, so it must have loaded a staging database, not the target
        String role = newDb("gone");
        pg.createRole(role, "unused-" + System.nanoTime());
        String src = sourceDb();
        pg.execute(src, "GRANT SELECT ON public.customers TO " + role);
        Outputs out = dump(src, Map.of("format", "custom"));
        pg.execute(src, "REVOKE SELECT ON public.customers FROM " + role + "; DROP ROLE " + role);

        String target = newDb("dst_jobs_fail");
        pg.createDatabase(target);
        StepFailure f = assertThrows(StepFailure.class,
                () -> restore(out.asMap().get("uri").toString(), target, Map.of("jobs", 2), ctx()));
        assertTrue(f.getMessage().contains("pg_restore") && f.getMessage().contains(role), f.getMessage());
        assertEquals(0, userTables(target), "the failed parallel restore left tables in the target");
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '"
                + RestoreTarget.stagingName(target) + "'"), "the staging database was left");
    }

    @Test
    void globalsAreStoredBesideTheDump() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of("globals", true));
        Path globals = backups.resolve("postgres_" + TS + ".globals.sql");
        assertTrue(Files.readString(globals).contains("CREATE ROLE postgres"));
        JsonNode manifest = new ObjectMapper().readTree(backups.resolve(out.asMap().get("key") + ".manifest.json").toFile());
        assertEquals("postgres_" + TS + ".globals.sql", manifest.get("globals_key").asText());
    }

    // ---- failures leave nothing behind --------------------------------------------------------

    @Test
    void failedDumpOfAMissingDatabaseStoresNothing() throws Exception {
        StepFailure f = assertThrows(StepFailure.class, () -> dump(newDb("no_such_db"), Map.of()));
        assertTrue(f.getMessage().contains("cannot connect") || f.getMessage().contains("does not exist"), f.getMessage());
        assertEquals(List.of(), filesUnder(backups));
    }

    @Test
    void dumpBlockedByALockFailsMidStreamAndStoresNothing() throws Exception {
        String src = sourceDb();
        try (Connection locker = pg.connect(src); Statement st = locker.createStatement()) {
            locker.setAutoCommit(false);
            st.execute("LOCK TABLE \"Billing\".\"Invoice Lines\" IN ACCESS EXCLUSIVE MODE");
            RecordingStepContext ctx = ctx();
            Map<String, Object> p = dumpParams(src);
            p.put("lock-wait-timeout", "1s");
            StepFailure f = assertThrows(StepFailure.class, () -> run(new DumpAction(), p, ctx));
            assertTrue(f.getMessage().contains("pg_dump") && f.getMessage().contains("nothing was stored"), f.getMessage());
            locker.rollback();
        }
        assertEquals(List.of(), filesUnder(backups), "no object, no manifest, no partial file");
    }

    @Test
    void restoreOfADumpWithAFailingStatementLeavesTheTargetUnchanged() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of());
        Path good = backups.resolve(out.asMap().get("key").toString());
        // a statement that fails after the tables were created and half the data loaded
        String sql = Files.readString(good);
        int at = sql.indexOf("ALTER TABLE ONLY");
        assertTrue(at > 0);
        Path bad = backups.resolve("bad");
        Files.createDirectories(bad);
        Path badFile = bad.resolve("postgres_20261124T020000Z.sql");
        Files.writeString(badFile, sql.substring(0, at) + "SELECT 1/0;\n" + sql.substring(at));

        String target = newDb("unchanged");
        pg.createDatabase(target);
        StepFailure f = assertThrows(StepFailure.class, () -> restore(badFile.toUri().toString(), target, Map.of(), ctx()));
        assertTrue(f.getMessage().contains("division by zero") && f.getMessage().contains("rolled back"), f.getMessage());
        assertEquals(0, userTables(target), "nothing of the dump stayed");
    }

    @Test
    void failedCleanRestoreLeavesTheExistingDatabaseAsItWas() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of());
        String sql = Files.readString(backups.resolve(out.asMap().get("key").toString()));
        int at = sql.indexOf("ALTER TABLE ONLY");
        Path badFile = backups.resolve("bad").resolve("postgres_20261124T020000Z.sql");
        Files.createDirectories(badFile.getParent());
        Files.writeString(badFile, sql.substring(0, at) + "SELECT 1/0;\n" + sql.substring(at));

        String target = newDb("precious");
        pg.createDatabase(target);
        pg.execute(target, "CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (42)");
        StepFailure f = assertThrows(StepFailure.class,
                () -> restore(badFile.toUri().toString(), target, Map.of("clean", true), ctx()));
        assertTrue(f.getMessage().contains("division by zero") && f.getMessage().contains("was left as it was"), f.getMessage());
        assertEquals(42, pg.queryLong(target, "SELECT x FROM keep_me"));
        assertEquals(1, userTables(target));
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%runbook_restore'"));
    }

    @Test
    void dumpFromANewerPgDumpIsRefusedBeforeTouchingAnything() throws Exception {
        Path file = backups.resolve("postgres_20261124T020000Z.sql");
        Files.writeString(file, "--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 99.1\n"
                + "-- Dumped by pg_dump version 99.1\n\nCREATE TABLE should_not_exist (x int);\n");
        String target = newDb("newer");
        StepFailure f = assertThrows(StepFailure.class, () -> restore(file.toUri().toString(), target, Map.of(), ctx()));
        assertTrue(f.getMessage().contains("pg_dump 99.1, newer than") && f.getMessage().contains("15."), f.getMessage());
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + target + "'"),
                "not even the database was created");
    }

    @Test
    void corruptedObjectIsRefusedAndTheDatabaseStaysUnchanged() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of());
        Path file = backups.resolve(out.asMap().get("key").toString());
        // flip bytes inside a data row: still valid SQL, so only the checksum can catch it
        String text = Files.readString(file);
        assertTrue(text.contains("row-500\t"));
        Files.writeString(file, text.replace("row-500\t", "row-900\t"));

        String target = newDb("corrupt");
        pg.createDatabase(target);
        StepFailure f = assertThrows(StepFailure.class, () -> restore(out.asMap().get("uri").toString(), target, Map.of(), ctx()));
        assertTrue(f.getMessage().contains("checksum mismatch"), f.getMessage());
        assertEquals(0, userTables(target), "psql had loaded everything, but nothing was committed");
    }

    @Test
    void nonEmptyTargetIsRefusedWithoutCleanAndReplacedWithIt() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of());
        String target = newDb("busy");
        pg.createDatabase(target);
        pg.execute(target, "CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (42)");

        StepFailure f = assertThrows(StepFailure.class, () -> restore(out.asMap().get("uri").toString(), target, Map.of(), ctx()));
        assertTrue(f.getMessage().contains("not empty") && f.getMessage().contains("public.keep_me")
                && f.getMessage().contains("clean: true"), f.getMessage());
        assertEquals(42, pg.queryLong(target, "SELECT x FROM keep_me"));

        assertTrue(new RestoreAction().destructive(Params.of(Map.of("from", "x", "clean", true))));
        restore(out.asMap().get("uri").toString(), target, Map.of("clean", true), ctx());
        assertEquals(fingerprint(src), fingerprint(target));
        assertEquals(0, pg.queryLong(target, "SELECT count(*) FROM pg_tables WHERE tablename = 'keep_me'"));
    }

    @Test
    void verifyWithTheManifestFindsAMissingRow() throws Exception {
        String src = sourceDb();
        Outputs out = dump(src, Map.of());
        String target = newDb("verify");
        restore(out.asMap().get("uri").toString(), target, Map.of(), ctx());
        pg.execute(target, "DELETE FROM \"Billing\".\"Invoice Lines\" WHERE customer = 7");

        StepFailure f = assertThrows(StepFailure.class, () -> run(new VerifyAction(),
                Map.of("database", target, "manifest", out.asMap().get("manifest")), ctx()));
        assertTrue(f.getMessage().contains("Billing.Invoice Lines: 2 rows, backup had 3"), f.getMessage());
        assertFalse(f.getMessage().contains("public.customers"), f.getMessage());
    }

    @Test
    void verifyFailsOnADatabaseWithoutTables() throws Exception {
        String empty = newDb("empty");
        pg.createDatabase(empty);
        StepFailure f = assertThrows(StepFailure.class, () -> run(new VerifyAction(), Map.of("database", empty), ctx()));
        assertTrue(f.getMessage().contains("no user tables"), f.getMessage());
    }

    // ---- secrets ------------------------------------------------------------------------------

    @Test
    void thePasswordNeverAppearsInTheTranscriptOutputsOrErrors() throws Exception {
        String password = "Sup3r-S3cret-" + System.nanoTime();
        String role = newDb("app");
        pg.createRole(role, password);
        String src = sourceDb();
        pg.execute(src, "GRANT SELECT ON ALL TABLES IN SCHEMA public, \"Billing\" TO " + role
                + "; GRANT SELECT ON ALL SEQUENCES IN SCHEMA public, \"Billing\" TO " + role
                + "; GRANT USAGE ON SCHEMA \"Billing\" TO " + role);

        RecordingStepContext ctx = new RecordingStepContext()
                .env("PGHOST", pg.host()).env("PGPORT", Integer.toString(pg.port()));
        ctx.env().remove("PGPASSWORD");
        Map<String, Object> p = dumpParams(src);
        p.put("user", role);
        p.put("password", new Secret(password));
        Outputs out = run(new DumpAction(), p, ctx);
        assertTrue(Files.size(backups.resolve(out.asMap().get("key").toString())) > 0);
        assertFalse(ctx.transcript().contains(password), ctx.transcript());
        assertFalse(out.asMap().toString().contains(password));
        assertTrue(ctx.secrets.contains(password), "the password is registered for masking");
        assertFalse(new DumpAction().describe(Params.of(p)).contains(password));

        // wrong password: SCRAM really checks it, and the error does not repeat it
        String wrong = "Wrong-" + password;
        p.put("password", new Secret(wrong));
        RecordingStepContext ctx2 = new RecordingStepContext()
                .env("PGHOST", pg.host()).env("PGPORT", Integer.toString(pg.port()));
        StepFailure f = assertThrows(StepFailure.class, () -> run(new DumpAction(), p, ctx2));
        assertTrue(f.getMessage().contains("password authentication failed"), f.getMessage());
        assertFalse(f.getMessage().contains(wrong));
        assertFalse(ctx2.transcript().contains(wrong));
    }

    @Test
    void childProcessesGetThePasswordOnlyThroughTheirEnvironment() throws Exception {
        PgConnection c = new PgConnection("h", 5432, "u", "d", "pw-123", "verify-full", null);
        assertEquals("pw-123", c.childEnv().get("PGPASSWORD"));
        assertEquals("verify-full", c.childEnv().get("PGSSLMODE"));
        assertFalse(c.toString().contains("pw-123"));
        assertFalse(c.display().contains("pw-123"));
    }

    // ---- query and wait-ready -----------------------------------------------------------------

    @Test
    void queryChecksItsExpectations() throws Exception {
        String src = sourceDb();
        Outputs ok = run(new QueryAction(), Map.of("database", src, "sql", "SELECT count(*) AS count FROM customers",
                "expect", Map.of("count", "> 999", "rows", "== 1")), ctx());
        assertEquals(1000L, ok.asMap().get("value"));
        assertEquals(1L, ok.asMap().get("rows"));

        StepFailure f = assertThrows(StepFailure.class, () -> run(new QueryAction(), Map.of("database", src,
                "sql", "SELECT id FROM customers WHERE id <= 3", "expect", Map.of("rows", "== 4")), ctx()));
        assertTrue(f.getMessage().contains("rows is 3, expected == 4"), f.getMessage());

        StepFailure ro = assertThrows(StepFailure.class, () -> run(new QueryAction(),
                Map.of("database", src, "sql", "DELETE FROM customers"), ctx()));
        assertTrue(ro.getMessage().contains("read-only"), ro.getMessage());
        assertEquals(1000, pg.queryLong(src, "SELECT count(*) FROM customers"));
    }

    @Test
    void waitReadySucceedsOnTheServerAndFailsWithinItsWindowOnAClosedPort() throws Exception {
        Outputs ok = run(new WaitReadyAction(), Map.of("within", "10s"), ctx());
        assertEquals(1L, ok.asMap().get("attempts"));

        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        long start = System.nanoTime();
        int port = closed;
        StepFailure f = assertThrows(StepFailure.class, () -> run(new WaitReadyAction(),
                Map.of("port", (long) port, "within", "3s"), ctx()));
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took >= 2000 && took < 8000, "took " + took + " ms");
        assertTrue(f.getMessage().contains("127.0.0.1:" + port) && f.getMessage().contains("last error"), f.getMessage());
    }

    @Test
    void waitReadyNoticesAServerThatStartsListeningWithinAFewTenthsOfASecond() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // the server "comes up" 1.5 s in: socat (a real process) starts forwarding the port to it then
        java.util.concurrent.atomic.AtomicLong listening = new java.util.concurrent.atomic.AtomicLong();
        java.util.concurrent.atomic.AtomicReference<Process> socat = new java.util.concurrent.atomic.AtomicReference<>();
        int forwarded = port;
        Thread starter = new Thread(() -> {
            try {
                Thread.sleep(1500);
                socat.set(new ProcessBuilder("socat", "TCP-LISTEN:" + forwarded + ",bind=127.0.0.1,reuseaddr,fork",
                        "TCP:" + pg.host() + ":" + pg.port()).redirectErrorStream(true).start());
                listening.set(System.nanoTime());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        starter.start();
        try {
            Outputs ok = run(new WaitReadyAction(), Map.of("port", (long) port, "within", "20s"), ctx());
            long late = (System.nanoTime() - listening.get()) / 1_000_000;
            long attempts = (Long) ok.asMap().get("attempts");
            // polled every 100 ms (the old 1 s pause made at most 2 attempts in 1.5 s and noticed up to 1 s late)
            assertTrue(attempts >= 6, "attempts " + attempts);
            assertTrue(late < 900, "noticed " + late + " ms after the port opened");
        } finally {
            starter.join();
            if (socat.get() != null) {
                socat.get().destroy();
                socat.get().waitFor();
            }
        }
    }

    @Test
    void createAndDropDatabase() throws Exception {
        String db = newDb("drill");
        Outputs created = run(new CreateDatabaseAction(), Map.of("database", db), ctx());
        assertEquals(true, created.asMap().get("created"));
        assertEquals(false, run(new CreateDatabaseAction(), Map.of("database", db), ctx()).asMap().get("created"));
        assertEquals(1, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'"));
        assertTrue(new DropDatabaseAction().destructive(Params.of(Map.of())));
        assertEquals(true, run(new DropDatabaseAction(), Map.of("database", db), ctx()).asMap().get("dropped"));
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + db + "'"));
    }

}
