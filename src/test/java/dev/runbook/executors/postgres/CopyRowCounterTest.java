package dev.runbook.executors.postgres;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CopyRowCounterTest {

    private static String block(String copyTarget, String comment, String... rows) {
        StringBuilder s = new StringBuilder("--\n-- Data for Name: " + comment + "; Type: TABLE DATA; Schema: public; Owner: app\n--\n\n");
        s.append("COPY ").append(copyTarget).append(" (id, body) FROM stdin;\n");
        for (String r : rows) {
            s.append(r).append('\n');
        }
        return s.append("\\.\n\n\n").toString();
    }

    private static final String DUMP = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n"
            + "CREATE FUNCTION public.f() RETURNS void LANGUAGE sql AS $$\nCOPY public.decoy (id) FROM stdin;\n$$;\n"
            + block("public.accounts", "accounts", "1\thello", "2\tline one\\nline two", "3\tback\\\\slash", "4\t\\N")
            + block("public.empty", "empty")
            + block("\"Odd Schema\".\"we\"\"ird.name\"", "we\"ird.name", "1\ta", "2\t\\.not the end", "\\\\.")
            + "SELECT pg_catalog.setval('public.s', 1, false);\n"
            + "--\n-- PostgreSQL database dump complete\n--\n\n";

    private static CopyRowCounter fed(byte[] bytes, int chunk) {
        CopyRowCounter c = new CopyRowCounter();
        for (int off = 0; off < bytes.length; off += chunk) {
            c.update(bytes, off, Math.min(chunk, bytes.length - off));
        }
        return c;
    }

    @Test
    void countsEachCopyBlockUpToItsTerminator() {
        CopyRowCounter c = fed(DUMP.getBytes(StandardCharsets.UTF_8), 1 << 16);
        assertEquals(Map.of("public.accounts", 4L, "public.empty", 0L, "Odd Schema.we\"ird.name", 3L), c.counts());
        assertTrue(c.balanced());
    }

    @Test
    void anyBufferBoundaryGivesTheSameCounts() {
        byte[] bytes = DUMP.getBytes(StandardCharsets.UTF_8);
        Map<String, Long> whole = fed(bytes, bytes.length).counts();
        for (int chunk = 1; chunk <= 97; chunk++) {
            assertEquals(whole, fed(bytes, chunk).counts(), "chunk " + chunk);
        }
        // a split right inside "COPY ", inside the terminator and between "\" and "."
        for (String at : new String[] {"COPY public.acc", "\\", "\\.\n\n\n--\n-- Data for Name: empty"}) {
            int cut = DUMP.indexOf(at) + 2;
            CopyRowCounter c = new CopyRowCounter();
            c.update(bytes, 0, cut);
            c.update(bytes, cut, bytes.length - cut);
            assertEquals(whole, c.counts(), "cut at " + at);
        }
    }

    @Test
    void aCopyInAFunctionBodyIsNotData() {
        CopyRowCounter c = fed(DUMP.getBytes(StandardCharsets.UTF_8), 7);
        assertFalse(c.counts().containsKey("public.decoy"));
    }

    @Test
    void aDumpCutInsideABlockIsNotBalancedAndThatTableIsNotCounted() {
        String cut = DUMP.substring(0, DUMP.indexOf("2\tline one"));
        CopyRowCounter c = fed(cut.getBytes(StandardCharsets.UTF_8), 5);
        assertFalse(c.balanced());
        assertTrue(c.counts().isEmpty());
    }

    @Test
    void largeBlocksAcrossManyBuffers() {
        String[] lines = new String[100_000];
        for (int i = 0; i < lines.length; i++) {
            lines[i] = i + "\tpayload " + i;
        }
        byte[] bytes = block("public.big", "big", lines).getBytes(StandardCharsets.UTF_8);
        assertEquals(Map.of("public.big", 100_000L), fed(bytes, 8191).counts());
    }

    @Test
    void qualifiedNames() {
        assertEquals("public.t", CopyRowCounter.qualifiedName("COPY public.t (a) FROM stdin;"));
        assertEquals("public.t", CopyRowCounter.qualifiedName("COPY public.t  FROM stdin;"));
        assertEquals("My.Table \"1\"", CopyRowCounter.qualifiedName("COPY \"My\".\"Table \"\"1\"\"\" (a) FROM stdin;"));
        assertEquals("s.a.b", CopyRowCounter.qualifiedName("COPY s.\"a.b\" (x) FROM stdin;"));
        assertNull(CopyRowCounter.qualifiedName("COPY t FROM stdin;"));
        assertNull(CopyRowCounter.qualifiedName("COPY \"unterminated.t (a) FROM stdin;"));
    }
}
