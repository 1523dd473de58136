package dev.runbook.storage.s3;

import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A streamed upload of unknown length: the bytes written to {@link #stream()} fill one part
 * buffer at a time; each full part is sent by one of {@code partsInFlight} uploader threads while
 * the next one fills. Memory is at most {@code partsInFlight + 1} parts whatever the object's
 * size: a writer that would need one more waits until a part has been sent.
 *
 * <p>Every part carries its CRC32C ({@code x-amz-checksum-crc32c}), so S3 checks it on arrival
 * and refuses a part damaged on the way. Servers that do not check checksums (they do not echo
 * the checksum back: S3Proxy) are detected on the first part and the rest is sent without
 * them, said once in the log; the size and checksum of the finished object are still checked
 * (see {@link StoredCheck}).
 *
 * <p>Only {@link #commit()} completes the multipart upload (or, for a body smaller than one
 * part, sends the single PutObject), so nothing appears under the key before the caller decided
 * the content is complete. {@link #abort()} and any failure abort the multipart upload.
 */
final class S3Upload implements ObjectStore.Upload {

    private static final int FIRST_BUFFER = 1024 * 1024; // small uploads (globals, manifests) stay small

    private final S3Store store;
    private final S3Client client;
    private final PutObjectRequest request;
    private final long partSize;
    private final int inFlight;
    private final Consumer<String> log;
    private final ExecutorService senders;
    private final Semaphore slots;
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    private final List<Future<CompletedPart>> parts = new ArrayList<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final PartStream stream = new PartStream();
    private final List<Integer> partCrcs = new ArrayList<>(); // in part order, for the composite checksum
    private volatile boolean checksums = true;
    private volatile Boolean serverChecks; // null until the first answer says
    private String uploadId;
    private long written;
    private boolean ended;

    private S3Upload(S3Store store, S3Client client, PutObjectRequest request, long partSize, int inFlight,
                     Consumer<String> log) {
        this.store = store;
        this.client = client;
        this.request = request;
        this.partSize = partSize;
        this.inFlight = inFlight;
        this.log = log;
        this.slots = new Semaphore(inFlight);
        AtomicInteger n = new AtomicInteger();
        this.senders = Executors.newFixedThreadPool(inFlight, r -> {
            Thread t = new Thread(r, "s3-part-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    static S3Upload start(S3Store store, S3Client client, PutObjectRequest request, long partSize, int inFlight,
                          Consumer<String> log) {
        return new S3Upload(store, client, request, partSize, inFlight, log);
    }

    @Override
    public OutputStream stream() {
        return stream;
    }

    @Override
    public ObjectInfo commit() throws IOException {
        if (ended) {
            throw new IllegalStateException("upload of " + uri() + " already ended");
        }
        ended = true;
        try {
            StoredCheck.Expected expected;
            if (uploadId == null) {
                expected = putWhole();
            } else {
                stream.sendCurrent();
                expected = complete();
            }
            return StoredCheck.check(store, request.key(), expected, log);
        } catch (IOException | RuntimeException e) {
            cleanUp();
            throw e instanceof IOException io ? io : S3Errors.map(e, "upload", uri(), request.key(), store.options());
        } finally {
            senders.shutdownNow();
        }
    }

    /** A body smaller than one part: one PutObject, with its checksum. */
    private StoredCheck.Expected putWhole() throws IOException {
        byte[] buf = stream.current == null ? new byte[0] : stream.current;
        int len = stream.filled;
        int crc = Crc32c.of(buf, len);
        PutObjectResponse r;
        try {
            r = client.putObject(request.toBuilder().checksumCRC32C(Crc32c.base64(crc)).build(),
                    body(buf, len));
        } catch (S3Exception e) {
            if (!checksumRefused(e)) {
                throw S3Errors.map(e, "upload", uri(), request.key(), store.options());
            }
            noChecksums("it refused the checksum header (" + e.statusCode() + ")");
            try {
                r = client.putObject(request, body(buf, len));
            } catch (RuntimeException again) {
                throw S3Errors.map(again, "upload", uri(), request.key(), store.options());
            }
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "upload", uri(), request.key(), store.options());
        }
        boolean verified = r.checksumCRC32C() != null;
        if (verified && !r.checksumCRC32C().equals(Crc32c.base64(crc))) {
            throw new IOException("S3 stored " + uri() + " with CRC32C " + r.checksumCRC32C() + " but "
                    + Crc32c.base64(crc) + " was sent: the bytes were damaged on the way");
        }
        return new StoredCheck.Expected(len, verified ? Crc32c.base64(crc) : null, r.eTag(), 1);
    }

    private StoredCheck.Expected complete() throws IOException {
        List<CompletedPart> done = new ArrayList<>();
        for (Future<CompletedPart> f : parts) {
            done.add(await(f));
        }
        rethrow();
        done.sort(Comparator.comparing(CompletedPart::partNumber));
        boolean withChecksums = checksums && Boolean.TRUE.equals(serverChecks);
        List<CompletedPart> listed = withChecksums ? done
                : done.stream().map(p -> p.toBuilder().checksumCRC32C(null).build()).toList();
        CompleteMultipartUploadResponse r;
        try {
            r = client.completeMultipartUpload(c -> c.bucket(request.bucket()).key(request.key()).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(listed)));
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "complete the upload of", uri(), request.key(), store.options());
        }
        String composite = withChecksums ? Crc32c.composite(partCrcs) + "-" + done.size() : null;
        if (withChecksums) {
            log.accept("S3 checked the CRC32C of each of the " + done.size() + " parts on arrival");
        }
        return new StoredCheck.Expected(written, composite, r.eTag(), done.size());
    }

    private CompletedPart await(Future<CompletedPart> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the last parts of " + uri() + " were uploading");
        } catch (java.util.concurrent.ExecutionException e) {
            failure.compareAndSet(null, e.getCause());
            rethrow();
            throw new IOException(e.getCause());
        }
    }

    @Override
    public Optional<String> abort() {
        if (ended) {
            return Optional.empty();
        }
        ended = true;
        return cleanUp();
    }

    /**
     * Aborts the multipart upload so that no part outlives the failed backup. S3 documents that
     * a part upload in progress may outlive an abort, and the endpoint may be gone for a moment
     * (a proxy, a failover): the sweep of what is left for this key tries again with pauses.
     */
    private Optional<String> cleanUp() {
        senders.shutdownNow(); // interrupts the parts in flight: they are thrown away anyway
        // Ctrl-C interrupts this thread: the one abort request below must still go out (an
        // interrupted SDK call fails at once), so the interrupt is held back until it is sent
        boolean interrupted = Thread.interrupted();
        try {
            senders.awaitTermination(interrupted ? 5 : 30, TimeUnit.SECONDS);
            if (uploadId == null) {
                return Optional.empty(); // nothing was sent: a single PutObject never started
            }
            client.abortMultipartUpload(a -> a.bucket(request.bucket()).key(request.key()).uploadId(uploadId));
        } catch (InterruptedException e) {
            interrupted = true;
        } catch (RuntimeException tryTheSweep) {
            // the sweep below tries again, with pauses
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt(); // the sweep then gives up its pauses
            }
        }
        if (uploadId == null) {
            return Optional.empty();
        }
        if (store.abortUploadsInProgress(request.key())) {
            return Optional.empty();
        }
        String bucket = request.bucket();
        return Optional.of("an incomplete multipart upload of " + uri() + " may be left on the"
                + " server (the endpoint did not answer the abort, tried " + (S3Store.ABORT_RETRY_DELAYS.size() + 1)
                + " times): it is not an object and no restore will see it; the bucket's lifecycle rule that aborts"
                + " incomplete multipart uploads removes it (runbooks/apply-lifecycle.yaml sets one: after 7 days),"
                + " or remove it now: aws s3api list-multipart-uploads --bucket " + bucket + " --prefix " + request.key()
                + ", then aws s3api abort-multipart-upload --bucket " + bucket + " --key " + request.key()
                + " --upload-id <UploadId>");
    }

    private void startMultipart() throws IOException {
        CreateMultipartUploadRequest.Builder create = CreateMultipartUploadRequest.builder()
                .bucket(request.bucket()).key(request.key()).metadata(request.metadata())
                .serverSideEncryption(request.serverSideEncryption()).ssekmsKeyId(request.ssekmsKeyId())
                .storageClass(request.storageClass());
        try {
            uploadId = client.createMultipartUpload(create.checksumAlgorithm(ChecksumAlgorithm.CRC32_C).build()).uploadId();
        } catch (S3Exception e) {
            if (!checksumRefused(e)) {
                throw S3Errors.map(e, "start uploading", uri(), request.key(), store.options());
            }
            noChecksums("it refused the checksum algorithm (" + e.statusCode() + ")");
            try {
                uploadId = client.createMultipartUpload(create.checksumAlgorithm((String) null).build()).uploadId();
            } catch (RuntimeException again) {
                throw S3Errors.map(again, "start uploading", uri(), request.key(), store.options());
            }
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "start uploading", uri(), request.key(), store.options());
        }
    }

    /** Hands a full buffer to an uploader thread; waits while {@code partsInFlight} are being sent. */
    private void send(byte[] buf, int len) throws IOException {
        if (uploadId == null) {
            startMultipart();
        }
        acquireSlot();
        int number = parts.size() + 1;
        int crc = Crc32c.of(buf, len); // here, in order, for the composite checksum; hardware CRC32C: GB/s
        partCrcs.add(crc);
        parts.add(senders.submit(() -> {
            try {
                return sendPart(number, buf, len, crc);
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
                throw t;
            } finally {
                synchronized (free) {
                    free.push(buf);
                }
                slots.release();
            }
        }));
    }

    private CompletedPart sendPart(int number, byte[] buf, int len, int crc) throws IOException {
        String sent = checksums ? Crc32c.base64(crc) : null;
        UploadPartResponse r;
        try {
            r = client.uploadPart(u -> u.bucket(request.bucket()).key(request.key()).uploadId(uploadId)
                    .partNumber(number).contentLength((long) len).checksumCRC32C(sent), body(buf, len));
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "upload part " + number + " of", uri(), request.key(), store.options());
        }
        if (sent != null) {
            if (r.checksumCRC32C() == null) {
                if (serverChecks == null) {
                    noChecksums("it does not confirm them (no x-amz-checksum-crc32c in its answer)");
                }
            } else {
                serverChecks = true;
                if (!sent.equals(r.checksumCRC32C())) {
                    throw new IOException("S3 received part " + number + " of " + uri() + " with CRC32C " + r.checksumCRC32C()
                            + " but " + sent + " was sent: the bytes were damaged on the way");
                }
            }
        }
        return CompletedPart.builder().partNumber(number).eTag(r.eTag()).checksumCRC32C(r.checksumCRC32C()).build();
    }

    private synchronized void noChecksums(String why) {
        if (checksums) {
            checksums = false;
            serverChecks = false;
            log.accept("the S3 endpoint " + store.options().describeEndpoint() + " does not check part checksums (" + why
                    + "): parts go without them; the object's size is still checked after the upload"
                    + " and the manifest's SHA-256 covers the content");
        }
    }

    /** 400/501 naming a checksum header or algorithm: the server does not support checksums. */
    private static boolean checksumRefused(S3Exception e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return (e.statusCode() == 400 || e.statusCode() == 501) && (m.contains("checksum") || e.statusCode() == 501);
    }

    private void acquireSlot() throws IOException {
        try {
            while (!slots.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                rethrow(); // a failed part frees no slot for long: report it instead of waiting
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while uploading " + uri());
        }
        rethrow();
    }

    private void rethrow() throws IOException {
        Throwable t = failure.get();
        if (t == null) {
            return;
        }
        if (t instanceof IOException io) {
            throw io;
        }
        throw S3Errors.map(t instanceof RuntimeException r ? r : new RuntimeException(t), "upload", uri(),
                request.key(), store.options());
    }

    private byte[] buffer(int atLeast) {
        synchronized (free) {
            byte[] b = free.poll();
            if (b != null && b.length >= atLeast) {
                return b;
            }
        }
        return new byte[atLeast];
    }

    private static RequestBody body(byte[] buf, int len) {
        // not fromBytes: that copies the part; a fresh stream per attempt keeps retries correct
        return RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buf, 0, len), len, "application/octet-stream");
    }

    private String uri() {
        return store.uri(request.key());
    }

    /** Fills the current part; a full part goes to {@link #send}. */
    private final class PartStream extends OutputStream {
        private byte[] current;
        private int filled;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (ended) {
                throw new IOException("upload of " + uri() + " already ended");
            }
            rethrow();
            while (len > 0) {
                if (current == null) {
                    current = uploadId == null ? new byte[(int) Math.min(partSize, FIRST_BUFFER)] : buffer((int) partSize);
                    filled = 0;
                }
                if (filled == current.length && current.length < partSize) {
                    current = java.util.Arrays.copyOf(current, (int) Math.min(partSize, 2L * current.length));
                }
                int n = Math.min(len, current.length - filled);
                System.arraycopy(b, off, current, filled, n);
                filled += n;
                off += n;
                len -= n;
                written += n;
                if (filled == partSize) {
                    byte[] full = current;
                    current = null;
                    send(full, filled);
                }
            }
        }

        /** The last, possibly short, part. */
        void sendCurrent() throws IOException {
            if (current != null && filled > 0) {
                byte[] last = current;
                current = null;
                send(last, filled);
            }
        }

        @Override
        public void close() {
            // uploads end with commit or abort, never close
        }
    }
}
