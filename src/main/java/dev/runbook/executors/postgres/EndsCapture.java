package dev.runbook.executors.postgres;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Passes bytes through while keeping the first and last few hundred of them, so the dump action
 * can check pg_dump's raw output (before compression) for its completion trailer without
 * buffering the dump. Bounded memory whatever the dump's size.
 */
final class EndsCapture extends FilterOutputStream {

    private static final int HEAD = 64;
    private static final int TAIL = 2048;

    private final byte[] head = new byte[HEAD];
    private int headLength;
    private final byte[] tail = new byte[TAIL];
    private long total;

    EndsCapture(OutputStream out) {
        super(out);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        if (headLength < HEAD) {
            int n = Math.min(HEAD - headLength, len);
            System.arraycopy(b, off, head, headLength, n);
            headLength += n;
        }
        for (int i = Math.max(0, len - TAIL); i < len; i++) {
            tail[(int) ((total + i) % TAIL)] = b[off + i];
        }
        total += len;
    }

    long total() {
        return total;
    }

    byte[] head() {
        return Arrays.copyOf(head, headLength);
    }

    /** The last bytes written, at most 2 KiB, as text. */
    String tailText() {
        int n = (int) Math.min(total, TAIL);
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = tail[(int) ((total - n + i) % TAIL)];
        }
        return new String(out, StandardCharsets.UTF_8);
    }
}
