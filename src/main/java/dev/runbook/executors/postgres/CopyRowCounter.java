package dev.runbook.executors.postgres;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts the rows of a plain-format dump as its bytes pass, so the manifest's exact row counts
 * cost no second read of the database. In pg_dump's plain output each table's data is a block
 *
 * <pre>
 * -- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: app
 * ...
 * COPY public.t (a, b) FROM stdin;
 * 1	x
 * \.
 * </pre>
 *
 * COPY text escapes a newline inside a value as {@code \n} and a backslash as {@code \\}, so a row
 * is exactly one line and a line that is exactly {@code \.} can only be the terminator. A
 * {@code COPY} line counts only right after a {@code TABLE DATA} comment, so a function body
 * that happens to contain a COPY statement is not mistaken for data. Works on arbitrary buffer
 * boundaries; memory is one line outside data blocks (capped) and two bytes inside them.
 */
final class CopyRowCounter {

    private static final int MAX_LINE = 64 * 1024; // enough for "COPY <63-byte names, quoted> ("
    private static final String DATA_COMMENT = "-- Data for Name: ";
    private static final String DATA_TYPE = "; Type: TABLE DATA;";
    private static final String FROM_STDIN = " FROM stdin;";

    private final Map<String, Long> counts = new TreeMap<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean dataCommentSeen;
    private String table; // inside a data block: its qualified name; else null
    private long rows;
    private int dataLineLength; // bytes of the current data line so far
    private byte first;
    private byte second;

    void update(byte[] b, int off, int len) {
        int end = off + len;
        int i = off;
        while (i < end) {
            if (table != null) {
                i = scanData(b, i, end);
            } else {
                i = scanText(b, i, end);
            }
        }
    }

    /**
     * Within a COPY block: counts newlines, watching for a line that is exactly {@code \.}.
     * The search for the next newline is a tight loop (this runs over every byte of the dump);
     * only at a newline is the line's length and start looked at.
     */
    private int scanData(byte[] b, int i, int end) {
        while (i < end) {
            int nl = i;
            while (nl < end && b[nl] != '\n') {
                nl++;
            }
            if (nl == end) { // the line goes on in the next buffer: remember its first two bytes
                int remembered = Math.min(end - i, Math.max(0, 2 - dataLineLength));
                for (int k = i; k < i + remembered; k++) {
                    remember(b[k]);
                }
                dataLineLength += end - i - remembered;
                return end;
            }
            if (dataLineLength + (nl - i) == 2 && terminator(b, i)) {
                counts.merge(table, rows, Long::sum);
                table = null;
                dataLineLength = 0;
                return nl + 1;
            }
            rows++;
            dataLineLength = 0;
            i = nl + 1;
        }
        return i;
    }

    /** Counts a byte of a data line that started in an earlier buffer (only the first two matter). */
    private void remember(byte c) {
        if (dataLineLength == 0) {
            first = c;
        } else {
            second = c;
        }
        dataLineLength++;
    }

    /** The two-byte line (its start possibly in an earlier buffer, the rest at {@code b[i]}) is {@code \.}. */
    private boolean terminator(byte[] b, int i) {
        return switch (dataLineLength) {
            case 0 -> b[i] == '\\' && b[i + 1] == '.';
            case 1 -> first == '\\' && b[i] == '.';
            default -> first == '\\' && second == '.';
        };
    }

    /** Outside data: collects one line (capped) and looks at it when it ends. */
    private int scanText(byte[] b, int i, int end) {
        int start = i;
        for (; i < end; i++) {
            if (b[i] == '\n') {
                append(b, start, i - start);
                endOfLine();
                return i + 1;
            }
        }
        append(b, start, end - start);
        return end;
    }

    private void append(byte[] b, int off, int len) {
        int room = MAX_LINE - line.size();
        if (room > 0) {
            line.write(b, off, Math.min(room, len));
        }
    }

    private void endOfLine() {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.startsWith(DATA_COMMENT) && text.contains(DATA_TYPE)) {
            dataCommentSeen = true;
        } else if (dataCommentSeen && text.startsWith("COPY ")) {
            dataCommentSeen = false;
            String name = qualifiedName(text);
            if (name != null && (text.endsWith(FROM_STDIN) || text.length() >= MAX_LINE)) {
                table = name;
                rows = 0;
                dataLineLength = 0;
            }
        } else if (!text.isEmpty() && !text.equals("--")) {
            dataCommentSeen = false; // something else came between the comment and a COPY
        }
    }

    /**
     * {@code schema.table} (unquoted, as {@link Sql.Table#qualified()} names it) from
     * {@code COPY <ident>.<ident> ...}, where an identifier is bare or double-quoted with
     * {@code ""} for a quote; null when the line is not in that form.
     */
    static String qualifiedName(String copyLine) {
        int[] pos = {"COPY ".length()};
        String schema = identifier(copyLine, pos);
        if (schema == null || pos[0] >= copyLine.length() || copyLine.charAt(pos[0]) != '.') {
            return null;
        }
        pos[0]++;
        String name = identifier(copyLine, pos);
        if (name == null || pos[0] >= copyLine.length() || copyLine.charAt(pos[0]) != ' ') {
            return null;
        }
        return schema + "." + name;
    }

    private static String identifier(String s, int[] pos) {
        int i = pos[0];
        if (i >= s.length()) {
            return null;
        }
        StringBuilder out = new StringBuilder();
        if (s.charAt(i) == '"') {
            i++;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        out.append('"');
                        i += 2;
                        continue;
                    }
                    pos[0] = i + 1;
                    return out.toString();
                }
                out.append(c);
                i++;
            }
            return null; // unterminated
        }
        while (i < s.length() && s.charAt(i) != '.' && s.charAt(i) != ' ') {
            out.append(s.charAt(i));
            i++;
        }
        pos[0] = i;
        return out.length() == 0 ? null : out.toString();
    }

    /** True when the stream ended outside a COPY block (a cut dump ends inside one). */
    boolean balanced() {
        return table == null;
    }

    /** {@code schema.table} → rows, for every table whose COPY block ended. */
    Map<String, Long> counts() {
        return new TreeMap<>(counts);
    }
}
