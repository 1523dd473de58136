package dev.runbook.executors.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The manifest's row counts against real PostgreSQL 15: taken from the dump stream itself for
 * plain dumps (compressed or not), in the dump's snapshot beside pg_dump for custom ones; each
 * must equal {@code SELECT count(*)} of every table, including empty ones, awkward names,
 * partitions, values with newlines, tabs and backslashes, and a larger table.
 */
class DumpRowCountsIT {

    private static PostgresCluster pg;
    private static String db;

    @TempDir
    Path backups;

    @BeforeAll
    static void source() {
        pg = PostgresCluster.sharedWithPasswords();
        db = PgTestCluster.newDb("counts");
        pg.createDatabase(db);
        pg.execute(db, """
                CREATE TABLE public.big (id int PRIMARY KEY, body text);
                INSERT INTO public.big SELECT g, repeat('x', g % 50) FROM generate_series(1, 200000) g;
                CREATE TABLE public.tricky (id int, body text);
                INSERT INTO public.tricky VALUES (1, E'two\\nlines'), (2, E'tab\\there'), (3, E'back\\\\slash'),
                  (4, E'\\\\.'), (5, NULL), (6, E'ends with newline\\n');
                CREATE TABLE public.empty_one (x int);
                CREATE SCHEMA "Odd Schema";
                CREATE TABLE "Odd Schema"."we""ird.Name" (id int);
                INSERT INTO "Odd Schema"."we""ird.Name" SELECT generate_series(1, 7);
                CREATE TABLE public.parted (id int, region text) PARTITION BY LIST (region);
                CREATE TABLE public.parted_eu PARTITION OF public.parted FOR VALUES IN ('eu');
                CREATE TABLE public.parted_us PARTITION OF public.parted FOR VALUES IN ('us');
                INSERT INTO public.parted SELECT g, CASE WHEN g % 3 = 0 THEN 'eu' ELSE 'us' END FROM generate_series(1, 300) g;
                CREATE FUNCTION public.decoy() RETURNS void LANGUAGE plpgsql AS $$
                BEGIN
                  EXECUTE 'SELECT 1';
                END $$;
                """);
    }

    private Map<String, Long> expected() {
        Map<String, Long> counts = new TreeMap<>();
        for (String t : new String[] {"public.big", "public.tricky", "public.empty_one", "public.parted_eu", "public.parted_us"}) {
            counts.put(t, pg.queryLong(db, "SELECT count(*) FROM " + t));
        }
        counts.put("Odd Schema.we\"ird.Name", pg.queryLong(db, "SELECT count(*) FROM \"Odd Schema\".\"we\"\"ird.Name\""));
        return counts;
    }

    @ParameterizedTest
    @CsvSource({"plain,none,in the dump stream", "plain,zstd,in the dump stream", "custom,none,in the dump's snapshot"})
    void manifestCountsEqualSelectCount(String format, String compression, String how) throws Exception {
        RecordingStepContext ctx = PgTestCluster.ctx(pg);
        Map<String, Object> p = new HashMap<>(Map.of("to", backups.toUri().toString(), "database", db,
                "format", format, "compression", compression));
        Outputs out = new DumpAction().execute(Params.of(p), ctx);
        JsonNode manifest = new ObjectMapper().readTree(backups.resolve(out.asMap().get("key") + ".manifest.json").toFile());
        Map<String, Long> recorded = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : manifest.get("tables").properties()) {
            recorded.put(e.getKey(), e.getValue().asLong());
        }
        assertEquals(expected(), recorded);
        assertEquals(200_000L + 6 + 7 + 300, out.asMap().get("rows"));
        assertTrue(manifest.get("tables_snapshot").asBoolean());
        assertTrue(ctx.transcript().contains("counted the rows of 6 tables " + how), ctx.transcript());
    }
}
