package dev.runbook.executors.postgres;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One stage of the dump's pipeline on a thread of its own: the bytes written here are queued in
 * chunks and written on to {@code downstream} by the stage's thread, so slow work downstream
 * (compression, hashing) runs beside the writer instead of in its way. The queue is bounded
 * ({@code depth} chunks, reused), so memory stays fixed and a writer waits only when the
 * stage is that far behind.
 *
 * <p>A failure downstream is reported to the writer at its next write or at {@link #close()};
 * {@link #cancel()} stops the thread at once. {@link #close()} waits until every byte went
 * downstream, then closes it (which, for a compressor, writes its end frame).
 */
final class AsyncStage extends OutputStream {

    private static final int CHUNK = 256 * 1024;
    private static final Chunk END = new Chunk(new byte[0], 0);

    private record Chunk(byte[] bytes, int length) {
    }

    private final String name;
    private final OutputStream downstream;
    private final BlockingQueue<Chunk> full;
    private final BlockingQueue<byte[]> free;
    private final Thread worker;
    private volatile Throwable failure;
    private byte[] current;
    private int filled;
    private boolean closed;

    AsyncStage(String name, OutputStream downstream, int depth) {
        this.name = name;
        this.downstream = downstream;
        this.full = new ArrayBlockingQueue<>(depth + 1);
        this.free = new ArrayBlockingQueue<>(depth + 2);
        this.worker = new Thread(this::run, name);
        worker.setDaemon(true);
        worker.start();
    }

    private void run() {
        try {
            while (true) {
                Chunk c = full.take();
                if (c == END) {
                    downstream.close();
                    return;
                }
                downstream.write(c.bytes(), 0, c.length());
                free.offer(c.bytes());
            }
        } catch (Throwable t) {
            failure = t;
            full.clear(); // frees the writer, who then sees the failure
        }
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException(name + " stage already closed");
        }
        while (len > 0) {
            if (current == null) {
                byte[] reused = free.poll();
                current = reused != null ? reused : new byte[CHUNK];
                filled = 0;
            }
            int n = Math.min(len, current.length - filled);
            System.arraycopy(b, off, current, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == current.length) {
                hand(new Chunk(current, filled));
                current = null;
            }
        }
    }

    private void hand(Chunk c) throws IOException {
        try {
            while (!full.offer(c, 100, TimeUnit.MILLISECONDS)) {
                check();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(name + " interrupted");
        }
        check();
    }

    private void check() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw t instanceof IOException io ? io : new IOException(name + " failed: " + t.getMessage(), t);
        }
        if (!worker.isAlive() && !closed) {
            throw new IOException(name + " stopped");
        }
    }

    /** Hands the last bytes over, waits until they went downstream, then closes it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        if (current != null && filled > 0) {
            hand(new Chunk(current, filled));
            current = null;
        }
        closed = true; // before END: the thread ends right after it
        hand(END);
        try {
            worker.join();
        } catch (InterruptedException e) {
            worker.interrupt();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException(name + " interrupted");
        }
        check();
    }

    /** Stops the stage's thread without waiting for what is queued (the run failed anyway). */
    void cancel() {
        closed = true;
        worker.interrupt();
        full.clear();
    }
}
