package dev.runbook.executors.postgres;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a plain {@code pg_dump} stream into its sections as it passes, reading it once:
 * the pre-data (schema) text, the rows of every {@code COPY ... FROM stdin;} block in chunks of
 * whole lines, and every later entry on its own with its type. pg_dump starts each entry with a
 * comment header ({@code -- Name: x; Type: T; Schema: s; Owner: o}, or {@code -- Data for Name:});
 * a header-like line inside a COPY block is data and is never read as one.
 *
 * <p>It also tracks the session settings pg_dump emits between entries ({@code SET x = y;},
 * {@code set_config('search_path', ...)}), so that an entry run on another connection runs
 * with the settings it would have had in the serial stream.
 */
final class PlainDumpSplitter {

    /** Where the pieces go, in stream order. */
    interface Sink {
        /** Text of the schema section (and the preamble before it), in order. */
        void preData(byte[] buf, int off, int len) throws Exception;

        /** The pre-data section is complete: called once, before the first data or later entry. */
        void endOfPreData() throws Exception;

        /** A COPY block starts; {@code copy} is its statement, e.g. {@code COPY public.t (a, b) FROM stdin;}. */
        void copyStart(Header header, String copy) throws Exception;

        /** Whole data lines of the current COPY block (never the end marker). */
        void copyRows(byte[] buf, int off, int len) throws Exception;

        void copyEnd() throws Exception;

        /** An entry after the schema section that is not a COPY block, with the settings in effect at its start. */
        void entry(Header header, String sql, Map<String, String> session) throws Exception;
    }

    /** An entry's header; {@code type} is pg_dump's, e.g. TABLE DATA, INDEX, FK CONSTRAINT. */
    record Header(String name, String type, String schema, boolean data) {
    }

    /** Types that end the schema section: data, and what pg_dump emits after the data. */
    static final Set<String> DATA_TYPES = Set.of("TABLE DATA", "SEQUENCE SET", "BLOBS", "BLOB DATA", "LARGE OBJECTS");

    private static final Pattern HEADER = Pattern.compile(
            "^-- (Data for )?Name: (.*); Type: (.*); Schema: (.*); Owner: ?(.*)$");
    private static final Pattern SET = Pattern.compile("^SET ([a-z_]+) = (.*);$");
    private static final Pattern SEARCH_PATH = Pattern.compile("^SELECT pg_catalog\\.set_config\\('search_path', (.*), false\\);$");
    private static final Pattern COPY = Pattern.compile("^COPY .* FROM stdin;$");
    private static final byte[] END_OF_COPY = "\\.".getBytes(StandardCharsets.US_ASCII);

    private final int chunkBytes;
    private final Sink sink;
    private final Map<String, String> session = new LinkedHashMap<>();
    private boolean inPreData = true;
    private Header current; // null before the first entry (the preamble)
    private final StringBuilder entryText = new StringBuilder();
    private Map<String, String> entrySession = Map.of();

    /**
     * @param chunkBytes COPY rows are handed out in chunks of about this size (whole lines)
     */
    PlainDumpSplitter(int chunkBytes, Sink sink) {
        this.chunkBytes = chunkBytes;
        this.sink = sink;
    }

    /** The session settings in effect now, as SQL statements keyed by setting name. */
    Map<String, String> session() {
        return Map.copyOf(session);
    }

    /** Reads the whole stream. */
    void split(InputStream in) throws Exception {
        LineReader lines = new LineReader(in);
        byte[] chunk = new byte[chunkBytes + 64 * 1024];
        int chunkLen = 0;
        boolean inCopy = false;
        while (lines.next()) {
            if (inCopy) {
                if (lines.equals(END_OF_COPY)) {
                    if (chunkLen > 0) {
                        sink.copyRows(chunk, 0, chunkLen);
                        chunkLen = 0;
                    }
                    sink.copyEnd();
                    inCopy = false;
                    continue;
                }
                int need = chunkLen + lines.length();
                if (need > chunk.length) { // one row larger than a chunk: grow to hold it
                    chunk = java.util.Arrays.copyOf(chunk, Math.max(need, chunk.length * 2));
                }
                System.arraycopy(lines.buf(), 0, chunk, chunkLen, lines.length());
                chunkLen = need;
                if (chunkLen >= chunkBytes) {
                    sink.copyRows(chunk, 0, chunkLen);
                    chunkLen = 0;
                }
                continue;
            }
            String line = lines.text();
            Matcher h = line.startsWith("-- ") ? HEADER.matcher(line.stripTrailing()) : null;
            if (h != null && h.matches()) {
                endEntry();
                current = new Header(h.group(2), h.group(3), h.group(4), h.group(1) != null);
                if (inPreData && (DATA_TYPES.contains(current.type()) || Phase.of(current.type()) != Phase.TAIL)) {
                    inPreData = false;
                    sink.endOfPreData();
                }
                entrySession = Map.copyOf(session);
            } else {
                trackSession(line.stripTrailing());
            }
            if (inPreData) {
                sink.preData(lines.buf(), 0, lines.length());
                continue;
            }
            if (current != null && current.type().equals("TABLE DATA") && COPY.matcher(line.stripTrailing()).matches()) {
                sink.copyStart(current, line.stripTrailing());
                entryText.setLength(0);
                inCopy = true;
                continue;
            }
            entryText.append(line);
        }
        if (inCopy) {
            throw new java.io.EOFException("the dump ends inside the data of a COPY block (" + current.name()
                    + "): it is truncated");
        }
        endEntry();
        if (inPreData) {
            sink.endOfPreData();
        }
    }

    private void trackSession(String line) {
        Matcher s = SET.matcher(line);
        if (s.matches()) {
            session.put(s.group(1), line);
        } else if (SEARCH_PATH.matcher(line).matches()) {
            session.put("search_path", line);
        }
    }

    private void endEntry() throws Exception {
        if (!inPreData && current != null && !onlyComments(entryText)) {
            sink.entry(current, entryText.toString(), entrySession);
        }
        entryText.setLength(0);
    }

    /** Blank lines and comments only: what is left of an entry after its COPY block. */
    private static boolean onlyComments(CharSequence text) {
        return text.toString().lines().allMatch(l -> l.isBlank() || l.startsWith("--"));
    }

    /**
     * When an entry after the data may run: in parallel with others of its phase, or serially
     * in dump order at the end. Primary keys, unique constraints and indexes come before the
     * foreign keys that need them; index partitions are attached in between.
     */
    enum Phase {
        INDEXES, ATTACH, FOREIGN_KEYS, TAIL;

        static Phase of(String type) {
            return switch (type) {
                case "INDEX", "CONSTRAINT" -> INDEXES;
                case "INDEX ATTACH" -> ATTACH;
                case "FK CONSTRAINT" -> FOREIGN_KEYS;
                default -> TAIL;
            };
        }
    }

    /** Lines of a byte stream, newline included, without decoding the data lines. */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] input = new byte[256 * 1024];
        private int inPos;
        private int inLen;
        private byte[] line = new byte[64 * 1024];
        private int lineLen;

        LineReader(InputStream in) {
            this.in = in;
        }

        boolean next() throws IOException {
            lineLen = 0;
            while (true) {
                if (inPos == inLen) {
                    inLen = in.read(input);
                    inPos = 0;
                    if (inLen <= 0) {
                        inLen = 0;
                        return lineLen > 0;
                    }
                }
                int start = inPos;
                int end = start;
                while (end < inLen && input[end] != '\n') {
                    end++;
                }
                boolean found = end < inLen;
                int take = (found ? end + 1 : end) - start;
                if (lineLen + take > line.length) {
                    line = java.util.Arrays.copyOf(line, Math.max(lineLen + take, line.length * 2));
                }
                System.arraycopy(input, start, line, lineLen, take);
                lineLen += take;
                inPos = start + take;
                if (found) {
                    return true;
                }
            }
        }

        byte[] buf() {
            return line;
        }

        int length() {
            return lineLen;
        }

        /** The line without its newline equals {@code bytes}. */
        boolean equals(byte[] bytes) {
            int n = lineLen > 0 && line[lineLen - 1] == '\n' ? lineLen - 1 : lineLen;
            return java.util.Arrays.equals(line, 0, n, bytes, 0, bytes.length);
        }

        String text() {
            return new String(line, 0, lineLen, StandardCharsets.UTF_8);
        }
    }
}
