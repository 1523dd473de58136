package dev.runbook.executors.postgres;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Counts and SHA-256-hashes the stored bytes as they are read. The hashing runs on its own
 * thread ({@link AsyncStage}, as in the dump), fed in order with copies of what was read (at
 * most 4 MiB waiting), so the thread that feeds psql or the restore's connections does not
 * spend its time on it.
 */
final class HashingInputStream extends FilterInputStream {

    private static final int QUEUE_CHUNKS = 16; // of 256 KiB: 4 MiB waiting

    private final HashingOutputStream hash = new HashingOutputStream(OutputStream.nullOutputStream());
    private final AsyncStage hashing = new AsyncStage("sha256", hash, QUEUE_CHUNKS);
    private String hex;
    private boolean ended;

    HashingInputStream(InputStream in) {
        super(in);
    }

    private void hash(byte[] b, int off, int n) throws IOException {
        if (ended) {
            throw new IOException("read after the hash was taken");
        }
        hashing.write(b, off, n);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b >= 0) {
            hash(new byte[] {(byte) b}, 0, 1);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n > 0) {
            hash(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long left = n;
        while (left > 0) {
            int r = read(buf, 0, (int) Math.min(buf.length, left));
            if (r < 0) {
                break;
            }
            left -= r;
        }
        return n - left;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** The bytes read so far; complete once {@link #hex()} was taken. */
    long count() {
        return hash.count();
    }

    /** Reads what is left, so the hash covers the whole object. */
    void drain() throws IOException {
        byte[] buf = new byte[64 * 1024];
        while (read(buf, 0, buf.length) >= 0) {
            // hashing happens in read
        }
    }

    /** The SHA-256 of everything read so far; reading stops here. */
    String hex() throws IOException {
        if (hex == null) {
            ended = true;
            hashing.close(); // waits until every byte is hashed
            hex = hash.hex();
        }
        return hex;
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            hashing.cancel();
        }
        super.close();
    }
}
