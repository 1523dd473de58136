package dev.runbook.storage.s3;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Reads an object with parallel ranged GETs into a bounded read-ahead, handing the bytes out in
 * order as one stream: the consumer (psql, the restore's splitter) never waits for a round trip,
 * and memory stays at {@code inFlight + 1} ranges whatever the object's size.
 *
 * <p>The first range is fetched before {@link #open} returns, so a missing object fails at once,
 * and it tells the total size (Content-Range) and the ETag. Every later range is asked for with
 * {@code If-Match} on that ETag: an object replaced mid-download fails instead of mixing two
 * backups (the SHA-256 check would catch it too, but later). A failed range is retried a few
 * times; the stream fails only when one range keeps failing.
 */
final class RangedReader extends InputStream {

    /** Waits before the retries of one range: an endpoint that hiccups is back within seconds. */
    static final List<Duration> RETRY_DELAYS = List.of(Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ofSeconds(3));

    private final S3Client client;
    private final String bucket;
    private final String key;
    private final String etag;
    private final long size;
    private final int rangeSize;
    private final int inFlight;
    private final Function<RuntimeException, IOException> errors;
    private final ExecutorService pool;
    private final ArrayDeque<Future<byte[]>> ahead = new ArrayDeque<>();
    // range buffers are reused: a download allocates inFlight + 1 of them, not one per range
    private final ArrayBlockingQueue<byte[]> spare;
    private long nextToRequest; // offset of the next range not yet submitted
    private byte[] current;
    private int pos;
    private boolean closed;

    private RangedReader(S3Client client, String bucket, String key, String etag, long size, int rangeSize,
                         int inFlight, byte[] first, Function<RuntimeException, IOException> errors) {
        this.client = client;
        this.errors = errors;
        this.bucket = bucket;
        this.key = key;
        this.etag = etag;
        this.size = size;
        this.rangeSize = rangeSize;
        this.inFlight = inFlight;
        this.current = first;
        this.nextToRequest = first.length;
        this.spare = new ArrayBlockingQueue<>(inFlight + 1);
        this.pool = size > first.length ? Executors.newFixedThreadPool(inFlight, r -> {
            Thread t = new Thread(r, "s3-read-ahead " + key);
            t.setDaemon(true);
            return t;
        }) : null;
        fill();
    }

    /**
     * Opens {@code key} for reading with {@code inFlight} ranges of {@code rangeSize} bytes fetched ahead.
     *
     * @param errors turns an SDK failure into the message the caller gives for a failed download
     */
    static InputStream open(S3Client client, String bucket, String key, int rangeSize, int inFlight,
                            Function<RuntimeException, IOException> errors) throws IOException {
        GetObjectRequest.Builder first = GetObjectRequest.builder().bucket(bucket).key(key).range(range(0, rangeSize));
        ResponseInputStream<GetObjectResponse> opened;
        try {
            opened = client.getObject(first.build());
        } catch (S3Exception e) {
            if (e.statusCode() == 416) { // an empty object has no byte 0 to ask for
                return InputStream.nullInputStream();
            }
            throw errors.apply(e);
        } catch (RuntimeException e) {
            throw errors.apply(e);
        }
        try (ResponseInputStream<GetObjectResponse> in = opened) {
            GetObjectResponse r = in.response();
            long size = totalSize(r);
            byte[] head = in.readNBytes((int) Math.min(rangeSize, size));
            if (head.length != Math.min(rangeSize, size)) {
                throw new IOException("s3://" + bucket + "/" + key + " ended after " + head.length + " bytes, "
                        + Math.min(rangeSize, size) + " expected");
            }
            return new RangedReader(client, bucket, key, r.eTag(), size, rangeSize, Math.max(1, inFlight), head,
                    errors);
        }
    }

    /** The object's whole size: from Content-Range ("bytes 0-99/1234"); a server ignoring Range sends it all. */
    private static long totalSize(GetObjectResponse r) {
        String cr = r.contentRange();
        if (cr != null && cr.contains("/") && !cr.endsWith("/*")) {
            return Long.parseLong(cr.substring(cr.lastIndexOf('/') + 1).trim());
        }
        return r.contentLength();
    }

    private static String range(long from, long length) {
        return "bytes=" + from + "-" + (from + length - 1);
    }

    /** Keeps {@code inFlight} ranges requested ahead of the reader. */
    private void fill() {
        while (pool != null && ahead.size() < inFlight && nextToRequest < size) {
            long from = nextToRequest;
            int length = (int) Math.min(rangeSize, size - from);
            byte[] buffer = spare.poll();
            byte[] into = buffer != null && buffer.length == length ? buffer : new byte[length];
            ahead.add(pool.submit(() -> fetch(from, into)));
            nextToRequest += length;
        }
    }

    /** One range into {@code into} (its length is the range's), retried; a changed object (412 on If-Match) is not retried. */
    private byte[] fetch(long from, byte[] into) throws IOException, InterruptedException {
        int length = into.length;
        GetObjectRequest.Builder get = GetObjectRequest.builder().bucket(bucket).key(key).range(range(from, length));
        if (etag != null) {
            get.ifMatch(etag);
        }
        GetObjectRequest request = get.build();
        for (int attempt = 0; ; attempt++) {
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(request)) {
                int n = in.readNBytes(into, 0, length);
                if (n != length) {
                    throw new IOException("range at " + from + " ended after " + n + " of " + length + " bytes");
                }
                return into;
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    throw new IOException("s3://" + bucket + "/" + key + " was replaced while it was being read"
                            + " (its ETag changed); nothing from the new object was used", e);
                }
                if (e.statusCode() < 500 || attempt == RETRY_DELAYS.size()) {
                    throw errors.apply(e);
                }
            } catch (SdkClientException e) {
                if (attempt == RETRY_DELAYS.size()) {
                    throw errors.apply(e);
                }
            } catch (IOException e) {
                if (attempt == RETRY_DELAYS.size()) {
                    throw e;
                }
            }
            Thread.sleep(RETRY_DELAYS.get(attempt).toMillis());
        }
    }

    /** Moves to the next range when the current one is used up; false at the end. */
    private boolean advance() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        while (current == null || pos == current.length) {
            Future<byte[]> next = ahead.poll();
            if (next == null) {
                return false;
            }
            try {
                byte[] used = current;
                current = next.get();
                pos = 0;
                if (used != null) {
                    spare.offer(used);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("download of s3://" + bucket + "/" + key + " interrupted");
            } catch (CancellationException e) {
                throw new IOException("download of s3://" + bucket + "/" + key + " was cancelled", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException io) {
                    throw io;
                }
                throw new IOException("reading a range of s3://" + bucket + "/" + key + " failed: " + cause.getMessage(), cause);
            }
            fill();
        }
        return true;
    }

    @Override
    public int read() throws IOException {
        if (!advance()) {
            return -1;
        }
        return current[pos++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!advance()) {
            return -1;
        }
        int n = Math.min(len, current.length - pos);
        System.arraycopy(current, pos, b, off, n);
        pos += n;
        return n;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length - pos;
    }

    /** Stops the read-ahead: ranges still in flight are abandoned, their threads ended. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        current = null;
        ahead.forEach(f -> f.cancel(true));
        ahead.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
