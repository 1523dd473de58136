package dev.runbook.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where backups live: an S3 bucket ({@code s3://bucket/key}) or a local directory
 * ({@code file:///dir/key}, the embedded default). One abstraction serves the s3 and postgres
 * executors. Keys are relative to the store's root (bucket, or directory).
 *
 * <p>The contract that keeps a half-made backup from looking like a good one: an object
 * written through {@link #startUpload} becomes visible only on {@link Upload#commit()};
 * {@link Upload#abort()} (or a failure before commit) leaves nothing under the key.
 */
public interface ObjectStore extends AutoCloseable {

    /** Human-readable root, e.g. {@code s3://backups} or {@code file:///var/backups}. */
    String describe();

    /** Starts streaming a new object of unknown length; memory use stays bounded. */
    Upload startUpload(String key, Map<String, String> metadata, long expectedSizeHint) throws IOException;

    /**
     * The same, telling {@code log} what the store checked or could not check on the way (an S3
     * endpoint that does not verify part checksums, the HEAD check of the finished object).
     */
    default Upload startUpload(String key, Map<String, String> metadata, long expectedSizeHint,
                               java.util.function.Consumer<String> log) throws IOException {
        return startUpload(key, metadata, expectedSizeHint);
    }

    /** Writes a small object in one go (manifests, secret files). */
    void put(String key, byte[] content, Map<String, String> metadata) throws IOException;

    /**
     * Opens an object for reading.
     *
     * @throws ArchivedObjectException when the object is in an archive storage class
     *                                 (GLACIER, DEEP_ARCHIVE) and must be restored first
     * @throws java.nio.file.NoSuchFileException when there is no such key
     */
    InputStream open(String key) throws IOException;

    /** Metadata of one object, or empty when it does not exist. */
    Optional<ObjectInfo> stat(String key) throws IOException;

    /** Every object under a prefix, however many (paginates internally). */
    List<ObjectInfo> list(String prefix) throws IOException;

    void delete(String key) throws IOException;

    @Override
    default void close() {
    }

    /** An object being written. Exactly one of commit or abort ends it. */
    interface Upload extends AutoCloseable {

        /** Where to write the bytes. Do not close it; call commit or abort. */
        java.io.OutputStream stream();

        /** Makes the object visible under its key. */
        ObjectInfo commit() throws IOException;

        /**
         * Discards everything written; nothing appears under the key. Safe to call twice.
         *
         * @return what could not be cleaned up (an incomplete multipart upload the endpoint did not
         *         let us abort), in words a failure message can carry, or empty when nothing is left
         */
        Optional<String> abort();

        /** Aborts unless committed, so try-with-resources never leaves a partial object. */
        @Override
        default void close() {
            abort();
        }
    }
}
