package dev.runbook.executors.postgres;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code jobs: N} for plain dumps against a real PostgreSQL 15: the same database as a serial
 * restore (same schema dump, same rows in every table, same large objects, same sequence
 * values), and an interrupted parallel restore leaves the target as it was.
 */
class ParallelPlainRestoreIT {

    private static PostgresCluster pg;
    private static String source;

    @TempDir
    static Path backups;

    private static String uri;

    @BeforeAll
    static void sourceDatabase() throws Exception {
        pg = PostgresCluster.sharedWithPasswords();
        source = PgTestCluster.newDb("par_src");
        pg.createDatabase(source);
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 40; i++) { // many tables, each referencing the one before
            many.append("CREATE TABLE shop.t").append(i).append(" (id serial PRIMARY KEY, ")
                    .append(i > 1 ? "prev int REFERENCES shop.t" + (i - 1) + "(id), " : "")
                    .append("name text UNIQUE, at timestamptz DEFAULT '2026-01-01');\n")
                    .append("INSERT INTO shop.t").append(i).append(" (").append(i > 1 ? "prev, " : "")
                    .append("name) SELECT ").append(i > 1 ? "NULLIF(g - 1, 0), " : "").append("'n' || g FROM generate_series(1, ")
                    .append(50 + i).append(") g;\n");
        }
        pg.execute(source, "CREATE SCHEMA shop;\n" + many + """
                CREATE TABLE shop.big (id bigint PRIMARY KEY, t1 int REFERENCES shop.t1(id), payload text, n numeric);
                INSERT INTO shop.big SELECT g, 1 + g % 51, md5(g::text), g / 7.0 FROM generate_series(1, 1500000) g;
                CREATE INDEX big_payload ON shop.big (payload);
                CREATE TABLE shop.events (day date NOT NULL, id int NOT NULL, what text, PRIMARY KEY (day, id))
                  PARTITION BY RANGE (day);
                CREATE TABLE shop.events_2025 PARTITION OF shop.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
                CREATE TABLE shop.events_2026 PARTITION OF shop.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
                INSERT INTO shop.events SELECT DATE '2025-06-01' + (g % 400), g, 'e' || g FROM generate_series(1, 20000) g;
                CREATE INDEX events_what ON shop.events (what);
                CREATE TABLE shop.event_notes (day date, id int, note text, FOREIGN KEY (day, id) REFERENCES shop.events);
                INSERT INTO shop.event_notes SELECT day, id, 'note' FROM shop.events WHERE id % 10 = 0;
                CREATE SEQUENCE shop.standalone START 1000;
                SELECT setval('shop.standalone', 4242);
                CREATE VIEW shop.big_view AS SELECT id, payload FROM shop.big WHERE id < 10;
                CREATE MATERIALIZED VIEW shop.counts AS SELECT t1, count(*) FROM shop.big GROUP BY t1;
                CREATE FUNCTION shop.touch() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                  NEW.at := now();
                  RETURN NEW;
                END $$;
                CREATE TRIGGER t1_touch BEFORE UPDATE ON shop.t1 FOR EACH ROW EXECUTE FUNCTION shop.touch();
                COMMENT ON TABLE shop.big IS 'the large one';
                SELECT lo_from_bytea(0, convert_to(repeat('large object ', 20000), 'UTF8'));
                SELECT lo_from_bytea(0, '\\x00ff00ff');
                """);
        Outputs dumped = new DumpAction().execute(Params.of(Map.of("to", backups.toUri().toString(), "database", source)),
                PgTestCluster.ctx(pg));
        uri = dumped.asMap().get("uri").toString();
    }

    private static Outputs restore(String target, int jobs, Map<String, Object> extra, RecordingStepContext ctx) throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("from", uri, "database", target, "create-database", true, "jobs", jobs));
        p.putAll(extra);
        return new RestoreAction().execute(Params.of(p), ctx);
    }

    /** pg_dump's schema of a database, without the lines that differ between any two dumps. */
    private static String schemaDump(String db) {
        String out = Exec.run(List.of("pg_dump", "--schema-only", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U",
                pg.superuser(), db), pg.clientEnv(db), Path.of("."), java.time.Duration.ofMinutes(2)).stdout();
        return out.lines().filter(l -> !l.startsWith("\\restrict") && !l.startsWith("\\unrestrict"))
                .reduce("", (a, b) -> a + b + "\n");
    }

    /** Every table's rows (order-independent), the sequences' values and the large objects, as one text. */
    private static String contents(String db) {
        List<String> parts = new ArrayList<>();
        for (String table : pg.queryString(db, "SELECT string_agg(format('%I.%I', schemaname, tablename), ',' ORDER BY tablename)"
                + " FROM pg_tables WHERE schemaname = 'shop'").split(",")) {
            parts.add(table + "=" + pg.queryLong(db, "SELECT count(*) FROM " + table) + "/"
                    + pg.queryString(db, "SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM " + table + " x"));
        }
        parts.add("seq=" + pg.queryLong(db, "SELECT last_value FROM shop.standalone") + "/"
                + pg.queryLong(db, "SELECT last_value FROM shop.t40_id_seq"));
        parts.add("lo=" + pg.queryString(db, "SELECT string_agg(loid::text || ':' || md5(lo_get(loid)), ',' ORDER BY loid)"
                + " FROM (SELECT DISTINCT loid FROM pg_largeobject) l"));
        parts.add("mv=" + pg.queryLong(db, "SELECT count(*) FROM shop.counts"));
        return String.join("\n", parts);
    }

    @Test
    void jobsTwoRestoresTheSameDatabaseAsASerialRestore() throws Exception {
        String serial = PgTestCluster.newDb("par_serial");
        String parallel = PgTestCluster.newDb("par_two");
        restore(serial, 1, Map.of(), PgTestCluster.ctx(pg));
        RecordingStepContext ctx = PgTestCluster.ctx(pg);
        Outputs out = restore(parallel, 2, Map.of(), ctx);

        assertEquals(schemaDump(serial), schemaDump(parallel));
        String expected = contents(serial);
        assertEquals(expected, contents(parallel));
        assertTrue(expected.contains("shop.big=1500000/"), expected);
        assertEquals(contents(source), expected);
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE '%runbook_restore'"));
        assertTrue(ctx.transcript().contains("with 2 connections (synchronous_commit=off"), ctx.transcript());
        assertTrue(out.asMap().get("sha256").toString().matches("[0-9a-f]{64}"));
    }

    @Test
    void jobsThreeIntoAnExistingEmptyDatabaseReplacesIt() throws Exception {
        String target = PgTestCluster.newDb("par_three");
        pg.createDatabase(target);
        restore(target, 3, Map.of(), PgTestCluster.ctx(pg));
        assertEquals(contents(source), contents(target));
    }

    @Test
    void aBackupChangedAfterItsManifestFailsOnTheChecksumAndLeavesNoDatabase() throws Exception {
        Path original = Path.of(java.net.URI.create(uri));
        Path damaged = original.resolveSibling("damaged_" + original.getFileName());
        String dump = java.nio.file.Files.readString(original);
        // one row of the big table changed: still valid SQL, so only the checksum can tell
        java.nio.file.Files.writeString(damaged, dump.replaceFirst("\n1000\t", "\n1000\t1"));
        java.nio.file.Files.copy(original.resolveSibling(original.getFileName() + ".manifest.json"),
                damaged.resolveSibling(damaged.getFileName() + ".manifest.json"));
        String target = PgTestCluster.newDb("par_damaged");
        Map<String, Object> p = new HashMap<>(Map.of("from", damaged.toUri().toString(), "database", target,
                "create-database", true, "jobs", 2));
        StepFailure f = assertThrows(StepFailure.class, () -> new RestoreAction().execute(Params.of(p), PgTestCluster.ctx(pg)));
        assertTrue(f.getMessage().contains("checksum mismatch"), f.getMessage());
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname IN ('" + target + "', '"
                + RestoreTarget.stagingName(target) + "')"));
    }

    @Test
    void aDumpMadeWithCreateIsRefusedBeforeAnythingIsLoaded() throws Exception {
        String small = PgTestCluster.newDb("par_create_src");
        pg.createDatabase(small);
        pg.execute(small, "CREATE TABLE t (x int); INSERT INTO t VALUES (1);");
        Path file = backups.resolve("create_20261125T020000Z.sql");
        Exec.run(List.of("pg_dump", "--create", "-f", file.toString(), "-h", pg.host(), "-p", Integer.toString(pg.port()),
                "-U", pg.superuser(), small), pg.clientEnv(small), Path.of("."), java.time.Duration.ofMinutes(1));
        String target = PgTestCluster.newDb("par_create");
        Map<String, Object> p = new HashMap<>(Map.of("from", file.toUri().toString(), "database", target,
                "create-database", true, "jobs", 2));
        StepFailure f = assertThrows(StepFailure.class, () -> new RestoreAction().execute(Params.of(p), PgTestCluster.ctx(pg)));
        assertTrue(f.getMessage().contains("\\connect") && f.getMessage().contains("jobs: 1"), f.getMessage());
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname IN ('" + target + "', '"
                + RestoreTarget.stagingName(target) + "')"));
        assertEquals(1, pg.queryLong(small, "SELECT count(*) FROM t"), "the dumped database was not touched");
    }

    @Test
    void anEmptyTargetThatGetsATableDuringTheRestoreIsNotReplaced() throws Exception {
        String target = PgTestCluster.newDb("par_raced");
        pg.createDatabase(target);
        String staging = RestoreTarget.stagingName(target);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            awaitCopy(staging);
            pg.execute(target, "CREATE TABLE written_meanwhile (x int); INSERT INTO written_meanwhile VALUES (7);");
        });
        StepFailure f = assertThrows(StepFailure.class, () -> restore(target, 2, Map.of(), PgTestCluster.ctx(pg)));
        writer.get(10, TimeUnit.SECONDS);
        assertTrue(f.getMessage().contains("was empty when the restore started"), f.getMessage());
        assertEquals(7, pg.queryLong(target, "SELECT x FROM written_meanwhile"));
        assertEquals(1500000, pg.queryLong(staging, "SELECT count(*) FROM shop.big"), "the restored copy is kept, complete");
        pg.dropDatabase(staging);
    }

    private static void awaitCopy(String staging) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && pg.queryLong("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                + staging + "' AND query LIKE 'COPY shop.big%'") == 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Test
    void aCancelledParallelRestoreMidCopyLeavesTheTargetAsItWas() throws Exception {
        String target = PgTestCluster.newDb("par_cancel");
        pg.createDatabase(target);
        pg.execute(target, "CREATE TABLE keep (x int); INSERT INTO keep VALUES (1), (2), (3);");
        RecordingStepContext ctx = PgTestCluster.ctx(pg);
        String staging = RestoreTarget.stagingName(target);
        CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
            awaitCopy(staging);
            ctx.cancel();
        });
        StepFailure f = assertThrows(StepFailure.class, () -> restore(target, 2, Map.of("clean", true), ctx));
        canceller.get(10, TimeUnit.SECONDS);
        assertTrue(f.getMessage().contains("cancelled") && f.getMessage().contains("left as it was"), f.getMessage());
        assertEquals(3, pg.queryLong(target, "SELECT count(*) FROM keep"));
        assertEquals(1, pg.queryLong(target, "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"));
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = '" + staging + "'"));
    }
}
