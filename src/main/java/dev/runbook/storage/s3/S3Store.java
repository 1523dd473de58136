package dev.runbook.storage.s3;

import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketLifecycleConfiguration;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.GlacierJobParameters;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;
import software.amazon.awssdk.services.s3.model.Tier;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An S3 bucket (AWS or any S3-compatible server) as an {@link ObjectStore}.
 *
 * <p>Every call goes through one synchronous client; streamed uploads send their parts from a
 * few threads of their own (see {@link S3Upload}). User metadata is stored as {@code x-amz-meta-*} on the object.
 */
public final class S3Store implements ObjectStore {

    /** Default part size: 10,000 parts of 128 MiB hold 1.25 TiB, enough for a dump of unknown size. */
    static final long DEFAULT_PART_SIZE = 128L * 1024 * 1024;
    private static final long MAX_PARTS = 10_000;
    private static final long HINT_HEADROOM = 4;
    private static final long MIN_HINTED_PART_SIZE = 8L * 1024 * 1024;
    private static final long MIB = 1024 * 1024;
    private static final long MAX_PART_SIZE = 1024 * MIB;

    private final String bucket;
    private final S3Options options;
    private final Map<String, String> env;
    private final S3Client client;

    public S3Store(String bucket, S3Options options, Map<String, String> env) {
        this.bucket = bucket;
        this.options = options;
        this.env = Map.copyOf(env);
        this.client = S3Clients.sync(options, this.env);
    }

    public String bucket() {
        return bucket;
    }

    public S3Options options() {
        return options;
    }

    @Override
    public String describe() {
        return "s3://" + bucket;
    }

    public String uri(String key) {
        return "s3://" + bucket + "/" + key;
    }

    /**
     * Part size for an upload (memory: {@code parts-in-flight} parts plus the one being filled):
     * the {@code part-size} option when set; without a size hint 128 MiB, so a stream of unknown
     * size up to 1.25 TiB fits in 10,000 parts; with a hint (a database's size on disk), large
     * enough that 10,000 parts hold 4 times the hint (a plain dump can outgrow the database: TOAST
     * compresses on disk, the dump does not) and at least 8 MiB: a 1 GiB database uploads in
     * 8 MiB parts.
     */
    long partSizeFor(long expectedSizeHint) {
        if (options.partSize() > 0) {
            return options.partSize();
        }
        if (expectedSizeHint <= 0) {
            return DEFAULT_PART_SIZE;
        }
        long needed = expectedSizeHint * HINT_HEADROOM / MAX_PARTS;
        long rounded = (needed + MIB - 1) / MIB * MIB;
        // at most 1 GiB: parts are held in memory; 10,000 of them exceed S3's 5 TiB object limit anyway
        return Math.min(MAX_PART_SIZE, Math.max(MIN_HINTED_PART_SIZE, rounded));
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata, long expectedSizeHint) {
        return startUpload(key, metadata, expectedSizeHint, message -> { });
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata, long expectedSizeHint, Consumer<String> log) {
        return S3Upload.start(this, client, putRequest(key, metadata), partSizeFor(expectedSizeHint),
                options.partsInFlight(), log);
    }

    /** HEAD asking for the object's stored checksum too (see {@link StoredCheck}). */
    Optional<HeadObjectResponse> headWithChecksum(String key) throws IOException {
        try {
            return Optional.of(client.headObject(h -> h.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (RuntimeException e) {
            if (e instanceof S3Exception s3 && s3.statusCode() == 404) {
                return Optional.empty();
            }
            throw S3Errors.map(e, "inspect", uri(key), key, options);
        }
    }

    @Override
    public void put(String key, byte[] content, Map<String, String> metadata) throws IOException {
        try {
            client.putObject(putRequest(key, metadata), RequestBody.fromBytes(content));
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "upload", uri(key), key, options);
        }
    }

    PutObjectRequest putRequest(String key, Map<String, String> metadata) {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key)
                .metadata(metadata == null ? Map.of() : metadata);
        if (options.sse() != null) {
            put.serverSideEncryption(ServerSideEncryption.fromValue(options.sse()));
            if (options.kmsKeyId() != null) {
                put.ssekmsKeyId(options.kmsKeyId());
            }
        }
        if (options.storageClass() != null) {
            put.storageClass(options.storageClass());
        }
        return put.build();
    }

    /**
     * Waits before each new try of the sweep below when the endpoint did not answer: an endpoint
     * that restarts (a proxy, a failover) is back within seconds, and a step must not wait longer.
     */
    static final List<Duration> ABORT_RETRY_DELAYS = List.of(Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8));

    /**
     * Aborts every multipart upload in progress for exactly this key, repeating while parts
     * still arrive. When the endpoint does not answer (it went away mid-upload), tries again a
     * few times with growing delays ({@link #ABORT_RETRY_DELAYS}, about 16 s in all).
     *
     * @return false when the endpoint never answered, so an incomplete upload may be left; true
     *         when none is left, or when the server refused to say (no s3:ListBucketMultipartUploads
     *         permission: nothing more can be done from here, and nothing was committed)
     */
    boolean abortUploadsInProgress(String key) {
        for (int attempt = 0; ; attempt++) {
            try {
                sweep(key);
                return true;
            } catch (S3Exception answered) {
                if (answered.statusCode() < 500) {
                    return true; // the server refused (no permission to list): retrying cannot change that
                }
                // 5xx: a server that is restarting or overloaded may answer properly in a moment;
                // taking it as "nothing left" is the likely cause of an upload left in CI
                // (S3AbortAfterOutageIT, the endpoint restarting during the sweep)
                if (attempt == ABORT_RETRY_DELAYS.size()) {
                    return false;
                }
            } catch (SdkClientException unreachable) {
                if (attempt == ABORT_RETRY_DELAYS.size()) {
                    return false;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(ABORT_RETRY_DELAYS.get(attempt).toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // Ctrl-C: give up the cleanup, the caller says what is left
                return false;
            }
        }
    }

    private void sweep(String key) throws InterruptedException {
        for (int round = 0; round < 5; round++) {
            List<MultipartUpload> left = client.listMultipartUploads(l -> l.bucket(bucket).prefix(key)).uploads()
                    .stream().filter(u -> u.key().equals(key)).toList();
            if (left.isEmpty()) {
                return;
            }
            for (MultipartUpload u : left) {
                client.abortMultipartUpload(a -> a.bucket(bucket).key(key).uploadId(u.uploadId()));
            }
            Thread.sleep(200);
        }
    }

    /** A multipart upload that was started and never completed nor aborted. */
    public record PendingUpload(String key, String uploadId, java.time.Instant initiated) {
    }

    /** Every incomplete multipart upload under a prefix (all pages). */
    public List<PendingUpload> incompleteUploads(String prefix) throws IOException {
        try {
            List<PendingUpload> out = new ArrayList<>();
            for (MultipartUpload u : client.listMultipartUploadsPaginator(l -> l.bucket(bucket).prefix(prefix)).uploads()) {
                out.add(new PendingUpload(u.key(), u.uploadId(), u.initiated()));
            }
            return out;
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "list the incomplete uploads of", uri(prefix), prefix, options);
        }
    }

    public void abortUpload(PendingUpload upload) throws IOException {
        try {
            client.abortMultipartUpload(a -> a.bucket(bucket).key(upload.key()).uploadId(upload.uploadId()));
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "abort the incomplete upload of", uri(upload.key()), upload.key(), options);
        }
    }

    /** Read-ahead of {@link #open}: 4 ranges of 8 MiB in flight, about 40 MiB of memory per download. */
    static final int READ_RANGE_SIZE = 8 * 1024 * 1024;
    static final int READ_RANGES_IN_FLIGHT = 4;

    /** Reads with parallel ranged GETs ahead of the reader ({@link RangedReader}). */
    @Override
    public InputStream open(String key) throws IOException {
        return RangedReader.open(client, bucket, key, READ_RANGE_SIZE, READ_RANGES_IN_FLIGHT,
                e -> S3Errors.map(e, "download", uri(key), key, options));
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        return head(key).map(h -> new ObjectInfo(key, h.contentLength(), h.lastModified(), storageClassOf(h), h.metadata()));
    }

    /** The object's archive and restore state as HEAD reports it, or empty when it does not exist. */
    public Optional<ArchiveState> archiveState(String key) throws IOException {
        return head(key).map(h -> ArchiveState.of(storageClassOf(h), h.restore()));
    }

    private Optional<HeadObjectResponse> head(String key) throws IOException {
        try {
            return Optional.of(client.headObject(h -> h.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw S3Errors.map(e, "inspect", uri(key), key, options);
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "inspect", uri(key), key, options);
        }
    }

    private static String storageClassOf(HeadObjectResponse h) {
        // S3 omits the header for STANDARD
        return h.storageClassAsString() == null ? "STANDARD" : h.storageClassAsString();
    }

    /**
     * Asks S3 to restore an archived object for {@code days} days.
     *
     * @return false when a restore of this object was already in progress
     */
    public boolean requestRestore(String key, String tier, int days) throws IOException {
        try {
            client.restoreObject(r -> r.bucket(bucket).key(key).restoreRequest(req -> req.days(days)
                    .glacierJobParameters(GlacierJobParameters.builder().tier(Tier.fromValue(tier)).build())));
            return true;
        } catch (S3Exception e) {
            if (e.awsErrorDetails() != null && "RestoreAlreadyInProgress".equals(e.awsErrorDetails().errorCode())) {
                return false;
            }
            throw S3Errors.map(e, "request a restore of", uri(key), key, options);
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "request a restore of", uri(key), key, options);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (S3Object o : client.listObjectsV2Paginator(l -> l.bucket(bucket).prefix(prefix)).contents()) {
                out.add(new ObjectInfo(o.key(), o.size(), o.lastModified(),
                        o.storageClassAsString() == null ? "STANDARD" : o.storageClassAsString(), Map.of()));
            }
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "list", uri(prefix), prefix, options);
        }
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            client.deleteObject(d -> d.bucket(bucket).key(key));
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "delete", uri(key), key, options);
        }
    }

    /** The bucket's lifecycle rules; empty when it has no lifecycle configuration. */
    public List<LifecycleRule> lifecycleRules() throws IOException {
        try {
            return client.getBucketLifecycleConfiguration(g -> g.bucket(bucket)).rules();
        } catch (S3Exception e) {
            if (e.awsErrorDetails() != null && "NoSuchLifecycleConfiguration".equals(e.awsErrorDetails().errorCode())) {
                return List.of();
            }
            throw S3Errors.map(e, "read the lifecycle configuration of", describe(), "", options);
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "read the lifecycle configuration of", describe(), "", options);
        }
    }

    /** Replaces the bucket's whole lifecycle configuration (the API has no per-rule update). */
    public void putLifecycleRules(List<LifecycleRule> rules) throws IOException {
        try {
            client.putBucketLifecycleConfiguration(p -> p.bucket(bucket)
                    .lifecycleConfiguration(BucketLifecycleConfiguration.builder().rules(rules).build()));
        } catch (RuntimeException e) {
            throw S3Errors.map(e, "write the lifecycle configuration of", describe(), "", options);
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
