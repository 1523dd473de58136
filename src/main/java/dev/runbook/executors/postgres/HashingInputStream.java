package dev.runbook.executors.postgres;

import dev.runbook.spi.Sha256;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Counts and SHA-256-hashes the stored bytes as they are read. The hashing runs on its own
 * thread, fed in order with copies of what was read (1 MiB at a time, at most 4 MiB waiting),
 * so the thread that feeds psql or the restore's connections does not spend its time on it.
 */
final class HashingInputStream extends FilterInputStream {

    private static final int BLOCK = 1024 * 1024;
    private static final Block END = new Block(new byte[0], 0);

    /** Bytes to hash: the first {@code length} of {@code bytes}. */
    private record Block(byte[] bytes, int length) {
    }

    private final BlockingQueue<Block> blocks = new ArrayBlockingQueue<>(4);
    private final BlockingQueue<byte[]> spare = new ArrayBlockingQueue<>(6); // blocks are reused, not reallocated
    private final Thread hasher;
    private final MessageDigest digest = Sha256.digest();
    private byte[] block = new byte[BLOCK];
    private int blockLen;
    private long count;
    private String hex;
    private boolean ended;

    HashingInputStream(InputStream in) {
        super(in);
        hasher = new Thread(this::hashBlocks, "sha256");
        hasher.setDaemon(true);
        hasher.start();
    }

    private void hashBlocks() {
        try {
            for (Block b = blocks.take(); b != END; b = blocks.take()) {
                digest.update(b.bytes(), 0, b.length());
                spare.offer(b.bytes());
            }
        } catch (InterruptedException e) {
            // abandoned: the stream was closed before its end
        }
    }

    private void hash(byte[] b, int off, int n) throws IOException {
        if (ended) {
            throw new IOException("read after the hash was taken");
        }
        count += n;
        while (n > 0) {
            int take = Math.min(n, BLOCK - blockLen);
            System.arraycopy(b, off, block, blockLen, take);
            blockLen += take;
            off += take;
            n -= take;
            if (blockLen == BLOCK) {
                hand(new Block(block, BLOCK));
                byte[] reused = spare.poll();
                block = reused != null ? reused : new byte[BLOCK];
                blockLen = 0;
            }
        }
    }

    private void hand(Block b) throws IOException {
        try {
            blocks.put(b);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing");
        }
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

    long count() {
        return count;
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
            hand(new Block(block, blockLen));
            hand(END);
            try {
                hasher.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while hashing");
            }
            hex = Sha256.hex(digest);
        }
        return hex;
    }

    @Override
    public void close() throws IOException {
        if (!ended) {
            hasher.interrupt();
        }
        super.close();
    }
}
