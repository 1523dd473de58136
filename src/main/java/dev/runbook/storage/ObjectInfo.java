package dev.runbook.storage;

import java.time.Instant;
import java.util.Map;

/**
 * What a store knows about one object.
 *
 * @param storageClass e.g. STANDARD, GLACIER, DEEP_ARCHIVE; null when the store has none
 * @param metadata     user metadata (may be empty when listing)
 */
public record ObjectInfo(String key, long size, Instant lastModified, String storageClass,
                         Map<String, String> metadata) {

    public ObjectInfo {
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** Whether the object must be restored from an archive tier before it can be read. */
    public boolean archived() {
        return storageClass != null
                && (storageClass.equals("GLACIER") || storageClass.equals("DEEP_ARCHIVE"));
    }
}
