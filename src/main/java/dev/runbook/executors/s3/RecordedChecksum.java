package dev.runbook.executors.s3;

import dev.runbook.backups.Catalog;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The SHA-256 recorded for an object when it was written: the object's {@code sha256} user
 * metadata (x-amz-meta-sha256), else the {@code sha256} field of the manifest beside it
 * ({@code <key>.manifest.json}).
 *
 * @param source where it came from, for messages: "metadata" or the manifest's key
 */
record RecordedChecksum(String sha256, String source) {

    private static final int MAX_MANIFEST = 1024 * 1024;

    static Optional<RecordedChecksum> find(ObjectStore store, ObjectInfo object) throws IOException {
        String meta = object.metadata().get("sha256");
        if (meta != null && !meta.isBlank()) {
            return Optional.of(new RecordedChecksum(meta.trim().toLowerCase(java.util.Locale.ROOT), "metadata"));
        }
        String manifestKey = BackupKeys.manifestKey(object.key());
        if (store.stat(manifestKey).isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = store.open(manifestKey)) {
            bytes = in.readNBytes(MAX_MANIFEST);
        }
        try {
            return Catalog.manifestSha256(bytes).map(sha -> new RecordedChecksum(sha, manifestKey));
        } catch (IOException e) {
            throw new IOException("the manifest " + manifestKey + " is " + e.getMessage(), e);
        }
    }
}
