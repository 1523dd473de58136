package dev.runbook.executors.postgres;

import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.PostgresCluster;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The section splitter on real pg_dump 15 output, generated here from a real server. */
class PlainDumpSplitterIT {

    /** What the splitter handed out, in order. */
    private static final class Recorded implements PlainDumpSplitter.Sink {
        final StringBuilder preData = new StringBuilder();
        final List<String> events = new ArrayList<>();
        final StringBuilder rows = new StringBuilder();
        int chunks;
        boolean preDataEnded;

        @Override
        public void preData(byte[] buf, int off, int len) {
            assertFalse(preDataEnded, "pre-data after its end");
            preData.append(new String(buf, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void endOfPreData() {
            preDataEnded = true;
            events.add("end of pre-data");
        }

        @Override
        public void copyStart(PlainDumpSplitter.Header header, String copy) {
            events.add("copy " + header.name() + ": " + copy);
        }

        @Override
        public void copyRows(byte[] buf, int off, int len) {
            chunks++;
            assertEquals('\n', buf[off + len - 1], "a chunk ends at a line end");
            rows.append(new String(buf, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void copyEnd() {
            events.add("copy end");
        }

        @Override
        public void entry(PlainDumpSplitter.Header header, String sql, Map<String, String> session) {
            events.add(PlainDumpSplitter.Phase.of(header.type()) + " " + header.type() + " " + header.name()
                    + (session.containsKey("search_path") ? "" : " (no search_path)"));
        }
    }

    private static Recorded split(String dump, int chunkBytes) throws Exception {
        Recorded r = new Recorded();
        new PlainDumpSplitter(chunkBytes, r).split(new ByteArrayInputStream(dump.getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    private static String pgDump(PostgresCluster pg, String db) {
        return Exec.run(List.of("pg_dump", "-h", pg.host(), "-p", Integer.toString(pg.port()), "-U", pg.superuser(), db),
                pg.clientEnv(db), Path.of("."), Duration.ofMinutes(1)).stdout();
    }

    @Test
    void aRealDumpSplitsIntoSchemaDataIndexesForeignKeysAndTheRest() throws Exception {
        PostgresCluster pg = PostgresCluster.sharedWithPasswords();
        String db = PgTestCluster.newDb("split");
        pg.createDatabase(db);
        pg.execute(db, """
                CREATE TABLE a (id int PRIMARY KEY, v text UNIQUE);
                CREATE TABLE b (id serial PRIMARY KEY, a int REFERENCES a);
                CREATE INDEX b_a ON b (a);
                CREATE TABLE m (day date, x int, PRIMARY KEY (day, x)) PARTITION BY RANGE (day);
                CREATE TABLE m1 PARTITION OF m FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
                INSERT INTO a SELECT g, E'line\\n-- Name: fake; Type: INDEX; Schema: public; Owner: x\\n' || g FROM generate_series(1, 3000) g;
                INSERT INTO b (a) VALUES (1), (2);
                CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
                CREATE TRIGGER b_f BEFORE INSERT ON b FOR EACH ROW EXECUTE FUNCTION f();
                SELECT lo_from_bytea(0, 'hello');
                """);
        String dump = pgDump(pg, db);
        Recorded r = split(dump, 16 * 1024);

        assertTrue(r.preData.toString().contains("CREATE TABLE public.a"), r.preData.toString());
        assertTrue(r.preData.toString().contains("lo_create"), "the large object's creation is schema");
        assertFalse(r.preData.toString().contains("COPY "), "no data in the schema section");
        assertEquals(List.of(
                "end of pre-data",
                "copy a: COPY public.a (id, v) FROM stdin;", "copy end",
                "copy b: COPY public.b (id, a) FROM stdin;", "copy end",
                "copy m1: COPY public.m1 (day, x) FROM stdin;", "copy end",
                "TAIL SEQUENCE SET b_id_seq",
                "TAIL BLOBS BLOBS",
                "INDEXES CONSTRAINT a a_pkey",
                "INDEXES CONSTRAINT a a_v_key",
                "INDEXES CONSTRAINT b b_pkey",
                "INDEXES CONSTRAINT m m_pkey",
                "INDEXES CONSTRAINT m1 m1_pkey",
                "INDEXES INDEX b_a",
                "ATTACH INDEX ATTACH m1_pkey",
                "TAIL TRIGGER b b_f",
                "FOREIGN_KEYS FK CONSTRAINT b b_a_fkey"), r.events);
        // the rows as pg_dump wrote them, the header-like text inside them never taken for an entry
        String copyOfA = dump.substring(dump.indexOf("COPY public.a"));
        copyOfA = copyOfA.substring(copyOfA.indexOf('\n') + 1, copyOfA.indexOf("\\.\n"));
        assertTrue(r.rows.toString().startsWith(copyOfA), "rows of a, byte for byte");
        assertTrue(r.chunks > 3, "3000 rows of about 60 bytes come in several 16 KiB chunks: " + r.chunks);
    }

    @Test
    void aDumpCutInsideACopyBlockIsRefusedAsTruncated() {
        String dump = "--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\n"
                + "COPY public.t (x) FROM stdin;\n1\n2\n";
        EOFException e = assertThrows(EOFException.class, () -> split(dump, 1024));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    }
}
