package dev.runbook.storage.s3;

import dev.runbook.storage.ObjectInfo;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The check of a finished upload that costs no read of its content: S3 already checked every
 * part's CRC32C on arrival; here HEAD must show the object with exactly the bytes sent, the
 * checksum S3 computed over the parts (when it keeps one) and the ETag the completion returned
 * (so it is this upload's object, with the right number of parts). A mismatch fails the upload.
 */
final class StoredCheck {

    /** What the upload sent. {@code checksum} is null when the server does not keep checksums. */
    record Expected(long size, String checksum, String eTag, int parts) {
    }

    private StoredCheck() {
    }

    static ObjectInfo check(S3Store store, String key, Expected sent, Consumer<String> log) throws IOException {
        HeadObjectResponse head = store.headWithChecksum(key).orElseThrow(() ->
                new IOException("upload of " + store.uri(key) + " completed but the object is not there"));
        String uri = store.uri(key);
        if (head.contentLength() == null || head.contentLength() != sent.size()) {
            throw new IOException("S3 holds " + head.contentLength() + " bytes at " + uri + " but " + sent.size()
                    + " were sent");
        }
        String said = "size " + sent.size() + " bytes";
        if (sent.checksum() != null && head.checksumCRC32C() != null) {
            if (!head.checksumCRC32C().equals(sent.checksum())) {
                throw new IOException("S3 reports CRC32C " + head.checksumCRC32C() + " for " + uri + " but the parts sent give "
                        + sent.checksum());
            }
            said += ", CRC32C " + sent.checksum();
        }
        if (sent.eTag() != null && head.eTag() != null) {
            if (!head.eTag().equals(sent.eTag())) {
                throw new IOException("the object at " + uri + " has ETag " + head.eTag() + ", not the " + sent.eTag()
                        + " its upload completed with: something else wrote the key meanwhile");
            }
            said += ", ETag " + sent.eTag();
        }
        log.accept("stored object checked with HEAD, without reading it back: " + said
                + (sent.parts() > 1 ? " (" + sent.parts() + " parts)" : ""));
        return new ObjectInfo(key, head.contentLength(), head.lastModified(),
                head.storageClassAsString() == null ? "STANDARD" : head.storageClassAsString(), head.metadata());
    }
}
