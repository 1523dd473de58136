package dev.runbook.storage.s3;

import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import io.netty.channel.EventLoopGroup;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.BlockingOutputStreamAsyncRequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.utils.CancellableOutputStream;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A streamed upload of unknown length through the SDK's multipart client: the bytes written
 * to {@link #stream()} are cut into parts as they come, so memory stays at a few parts.
 *
 * <p>Only {@link #commit()} ends the body normally, which lets the SDK complete the multipart
 * upload. {@link #abort()} cancels the body instead: the SDK then aborts the multipart upload
 * (or, for a body smaller than one part, never sends it), so nothing appears under the key.
 */
final class S3Upload implements ObjectStore.Upload {

    private static final Duration ABORT_WAIT = Duration.ofSeconds(30);
    /** Event loops stop within milliseconds once asked; this only bounds a pathological case. */
    private static final Duration LOOPS_STOP_WAIT = Duration.ofSeconds(10);

    private final S3Store store;
    private final S3AsyncClient client;
    private final EventLoopGroup eventLoops;
    private final PutObjectRequest request;
    private final CompletableFuture<PutObjectResponse> result;
    private final CancellableOutputStream body;
    private final OutputStream stream;
    private boolean ended;
    /** The thread inside a write to the SDK's body, if any (see {@link #unblockWriter}). */
    private volatile Thread writer;
    private final java.util.concurrent.atomic.AtomicBoolean interruptedWriter = new java.util.concurrent.atomic.AtomicBoolean();

    private S3Upload(S3Store store, S3AsyncClient client, EventLoopGroup eventLoops, PutObjectRequest request,
                     CompletableFuture<PutObjectResponse> result, CancellableOutputStream body) {
        this.store = store;
        this.client = client;
        this.eventLoops = eventLoops;
        this.request = request;
        this.result = result;
        this.body = body;
        this.stream = new GuardedStream(new BufferedOutputStream(body, 256 * 1024));
        result.whenComplete((response, failure) -> {
            if (failure != null) {
                unblockWriter();
            }
        });
    }

    /**
     * A write blocks in the SDK until the upload asks for more bytes. When the upload fails (the
     * endpoint went away mid-upload), it never asks again and the write would wait forever: the
     * backup hung instead of failing. So a failed upload cancels the body and interrupts a
     * writer that is blocked in it (the SDK's wait is interruptible); the write then reports
     * the upload's own error.
     */
    private void unblockWriter() {
        body.cancel();
        Thread blocked = writer;
        if (blocked != null && interruptedWriter.compareAndSet(false, true)) {
            blocked.interrupt();
        }
    }

    static S3Upload start(S3Store store, S3AsyncClient client, EventLoopGroup eventLoops, PutObjectRequest request)
            throws IOException {
        try {
            // null length: the SDK's multipart client buffers parts of partSize and uploads them as they fill
            BlockingOutputStreamAsyncRequestBody body = AsyncRequestBody.forBlockingOutputStream(null);
            CompletableFuture<PutObjectResponse> result = client.putObject(request, body);
            return new S3Upload(store, client, eventLoops, request, result, body.outputStream());
        } catch (RuntimeException e) {
            release(client, eventLoops);
            throw S3Errors.map(e, "start uploading", store.uri(request.key()), request.key(), store.options());
        }
    }

    @Override
    public OutputStream stream() {
        return stream;
    }

    @Override
    public ObjectInfo commit() throws IOException {
        if (ended) {
            throw new IllegalStateException("upload of " + store.uri(request.key()) + " already ended");
        }
        ended = true;
        try {
            stream.close(); // flushes, then ends the body: the SDK uploads the last part and completes
            result.join();
        } catch (RuntimeException | IOException e) {
            body.cancel();
            release();
            throw S3Errors.map(failure(e), "upload", store.uri(request.key()), request.key(), store.options());
        }
        release();
        return store.stat(request.key()).orElseThrow(() ->
                new IOException("upload of " + store.uri(request.key()) + " completed but the object is not there"));
    }

    @Override
    public Optional<String> abort() {
        if (ended) {
            return Optional.empty();
        }
        ended = true;
        body.cancel(); // not close(): close() would complete the upload
        try {
            // wait until the SDK has aborted the multipart upload, so no part outlives this call
            result.get(ABORT_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            result.cancel(true);
        } catch (InterruptedException e) {
            result.cancel(true);
            Thread.currentThread().interrupt();
        } catch (Exception expected) {
            // the cancelled body fails the upload: that is the point
        }
        // The upload's future fails as soon as the body is cancelled, while part uploads may still
        // be running: retried against an endpoint that went away, or waiting for a connection.
        // Closing the client does not stop them at once (its I/O winds down gracefully), and one
        // landing after the sweep below brought the aborted upload back (seen in CI). So the
        // upload's own event loops are stopped, with no grace period, before the sweep.
        release();
        // The SDK aborts the multipart upload it started, but not when the cancel races with
        // CreateMultipartUpload or an UploadPart in flight (S3 also documents that a part
        // upload in progress may outlive an abort). Sweep what is left for this key, again
        // after a pause when the endpoint is gone (it may be restarting).
        if (store.abortUploadsInProgress(request.key())) {
            return Optional.empty();
        }
        String bucket = request.bucket();
        return Optional.of("an incomplete multipart upload of " + store.uri(request.key()) + " may be left on the"
                + " server (the endpoint did not answer the abort, tried " + (S3Store.ABORT_RETRY_DELAYS.size() + 1)
                + " times): it is not an object and no restore will see it; the bucket's lifecycle rule that aborts"
                + " incomplete multipart uploads removes it (runbooks/apply-lifecycle.yaml sets one: after 7 days),"
                + " or remove it now: aws s3api list-multipart-uploads --bucket " + bucket + " --prefix " + request.key()
                + ", then aws s3api abort-multipart-upload --bucket " + bucket + " --key " + request.key()
                + " --upload-id <UploadId>");
    }

    /** Closes the client and stops the upload's own event loops (the SDK leaves loops it was given running). */
    private void release() {
        release(client, eventLoops);
    }

    private static void release(S3AsyncClient client, EventLoopGroup eventLoops) {
        client.close();
        try {
            eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(LOOPS_STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The upload's own error explains a broken stream better than the stream's exception. */
    private Throwable failure(Throwable streamError) {
        if (result.isCompletedExceptionally()) {
            try {
                result.join();
            } catch (RuntimeException e) {
                return e;
            }
        }
        return streamError;
    }

    /** Reports the upload's failure (bad credentials, missing bucket) instead of a bare stream error. */
    private final class GuardedStream extends OutputStream {
        private final OutputStream out;

        GuardedStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            check();
            try {
                out.write(b);
            } catch (RuntimeException e) {
                throw S3Errors.map(failure(e), "upload", store.uri(request.key()), request.key(), store.options());
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            writer = Thread.currentThread();
            try {
                out.write(b, off, len);
            } catch (RuntimeException | IOException e) {
                throw S3Errors.map(failure(e), "upload", store.uri(request.key()), request.key(), store.options());
            } finally {
                released();
            }
        }

        @Override
        public void flush() throws IOException {
            writer = Thread.currentThread();
            try {
                out.flush();
            } finally {
                released();
            }
        }

        @Override
        public void close() throws IOException {
            writer = Thread.currentThread(); // close flushes the last bytes, which may block like a write
            try {
                out.close();
            } catch (RuntimeException e) {
                throw S3Errors.map(failure(e), "upload", store.uri(request.key()), request.key(), store.options());
            } finally {
                released();
            }
        }

        private void released() {
            writer = null;
            if (interruptedWriter.get()) {
                Thread.interrupted(); // our own interrupt (see unblockWriter), not a cancellation of the run
            }
        }

        private void check() throws IOException {
            if (result.isCompletedExceptionally()) {
                throw S3Errors.map(failure(new IOException("upload failed")), "upload",
                        store.uri(request.key()), request.key(), store.options());
            }
        }
    }
}
