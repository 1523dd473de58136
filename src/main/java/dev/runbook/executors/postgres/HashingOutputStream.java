package dev.runbook.executors.postgres;

import dev.runbook.spi.Sha256;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/**
 * Counts and SHA-256-hashes the bytes on their way to the store. Closing it does not close the
 * store's upload stream: uploads end with commit or abort, never close.
 */
final class HashingOutputStream extends FilterOutputStream {

    private final MessageDigest digest;
    private long count;

    HashingOutputStream(OutputStream out) {
        super(out);
        this.digest = Sha256.digest();
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        digest.update((byte) b);
        count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        digest.update(b, off, len);
        count += len;
    }

    @Override
    public void close() throws IOException {
        out.flush();
    }

    long count() {
        return count;
    }

    String hex() {
        return Sha256.hex(digest);
    }

}
