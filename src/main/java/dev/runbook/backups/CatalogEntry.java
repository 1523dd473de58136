package dev.runbook.backups;

import dev.runbook.storage.BackupKeys;

import java.time.Instant;
import java.util.List;

/**
 * One backup as the catalog knows it.
 *
 * @param storageClass    STANDARD, GLACIER, DEEP_ARCHIVE...; null for local files
 * @param restoring       an archived object's restore is in progress
 * @param restoredUntil   an archived object's restored copy is readable until then, else null
 * @param sha256          the SHA-256 recorded in the manifest, or null (no manifest: a hand-made dump)
 * @param manifestProblem why the manifest could not be read, or null
 * @param drill           the last drill that used this backup, or null
 * @param companions      keys that go with it (manifest, drill record, roles dump): deleted together
 */
public record CatalogEntry(BackupKeys.Parsed backup, String uri, long size, Instant lastModified, String storageClass, boolean restoring,
                           Instant restoredUntil, String sha256, String manifestProblem, DrillRecord drill,
                           List<String> companions) {

    public CatalogEntry {
        companions = List.copyOf(companions);
    }

    public String key() {
        return backup.key();
    }

    public Instant timestamp() {
        return backup.timestamp();
    }

    public boolean archived() {
        return "GLACIER".equals(storageClass) || "DEEP_ARCHIVE".equals(storageClass);
    }

    /** STANDARD, GLACIER (being restored), GLACIER (restorable until ...), or "local file". */
    public String storageState() {
        if (storageClass == null) {
            return "local file";
        }
        if (restoring) {
            return storageClass + " (being restored)";
        }
        if (restoredUntil != null) {
            return storageClass + " (restored, readable until " + (restoredUntil.equals(Instant.MAX) ? "?" : restoredUntil) + ")";
        }
        return storageClass;
    }

    /** A drill restored it and checked its SHA-256 against the manifest on the way. */
    public boolean sha256Verified() {
        return drillPassed() && Boolean.TRUE.equals(drill.sha256Verified());
    }

    public boolean drillPassed() {
        return drill != null && drill.passed();
    }
}
