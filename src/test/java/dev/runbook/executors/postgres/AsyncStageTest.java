package dev.runbook.executors.postgres;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AsyncStageTest {

    @Test
    void everyByteArrivesInOrderAndCloseClosesDownstreamAfterTheLast() throws Exception {
        byte[] data = new byte[3_000_000];
        new Random(3).nextBytes(data);
        AtomicBoolean closed = new AtomicBoolean();
        ByteArrayOutputStream sink = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        AsyncStage stage = new AsyncStage("test", sink, 2);
        for (int off = 0; off < data.length; off += 70_001) {
            stage.write(data, off, Math.min(70_001, data.length - off));
        }
        stage.close();
        assertTrue(closed.get());
        assertArrayEquals(data, sink.toByteArray());
    }

    @Test
    void aFailureDownstreamReachesTheWriterInsteadOfBlockingIt() {
        OutputStream failing = new OutputStream() {
            private long seen;

            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                seen += len;
                if (seen > 1_000_000) {
                    throw new IOException("upload failed: endpoint gone");
                }
            }
        };
        AsyncStage stage = new AsyncStage("test", failing, 2);
        IOException e = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IOException.class, () -> {
            byte[] buf = new byte[64 * 1024];
            for (int i = 0; i < 10_000; i++) { // far more than the queue holds
                stage.write(buf, 0, buf.length);
            }
            stage.close();
        }));
        assertTrue(e.getMessage().contains("endpoint gone"), e.getMessage());
    }

    @Test
    void cancelStopsAStageWhoseDownstreamNeverReturns() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        OutputStream stuck = new OutputStream() {
            @Override
            public void write(int b) {
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                entered.countDown();
                try {
                    never.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException("stopped");
                }
            }
        };
        AsyncStage stage = new AsyncStage("test", stuck, 1);
        stage.write(new byte[256 * 1024], 0, 256 * 1024);
        assertTrue(entered.await(10, java.util.concurrent.TimeUnit.SECONDS));
        stage.cancel();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThrows(IOException.class, () -> {
            for (int i = 0; i < 100; i++) {
                stage.write(new byte[256 * 1024], 0, 256 * 1024);
            }
        }));
    }
}
