package dev.runbook.executors.postgres;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ArchivedObjectException;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * The backup object a restore reads: where it is, what its manifest says, and the checksum its
 * stored bytes must have. Refuses a missing or archived object before anything else happens.
 */
final class BackupSource {

    static final int HEADER_BYTES = 16 * 1024;

    private final ObjectStore store;
    private final ObjectLocation location;
    private final Optional<Manifest> manifest;
    private final String expectedSha256;

    private BackupSource(ObjectStore store, ObjectLocation location, Optional<Manifest> manifest, String expectedSha256) {
        this.store = store;
        this.location = location;
        this.manifest = manifest;
        this.expectedSha256 = expectedSha256;
    }

    /** Checks the object is there and readable, and reads its manifest (or metadata) for the checksum. */
    static BackupSource open(ObjectStore store, ObjectLocation location, StepContext ctx) throws StepFailure, IOException {
        ObjectInfo info = statOrFail(store, location);
        Optional<Manifest> manifest = readManifest(store, location);
        String expected = manifest.map(Manifest::sha256).orElse(info.metadata().get("sha256"));
        if (expected == null) {
            ctx.log().warn("no manifest and no sha256 metadata beside " + location.uri()
                    + ": the backup's integrity cannot be checked, psql's errors are the only guard");
        }
        return new BackupSource(store, location, manifest, expected);
    }

    static boolean isCustom(String keyOrUri) {
        return BackupKeys.parse(keyOrUri).map(p -> p.format().equals("custom"))
                .orElse(keyOrUri.matches(".*\\.dump(\\.gz|\\.zst)?(\\.age)?$"));
    }

    ObjectLocation location() {
        return location;
    }

    String uri() {
        return location.uri();
    }

    /** Encrypted with age ({@code .age} suffix): restoring needs an identity. */
    boolean encrypted() {
        return Age.encrypted(location.key());
    }

    boolean custom() {
        return isCustom(location.key());
    }

    String compression() {
        return Compression.ofKey(location.key());
    }

    Optional<Manifest> manifest() {
        return manifest;
    }

    /** The SHA-256 the stored bytes must have, or null when nothing records it. */
    String expectedSha256() {
        return expectedSha256;
    }

    /** The stored bytes as they are in the store. */
    InputStream openStored() throws IOException, StepFailure {
        try {
            return store.open(location.key());
        } catch (ArchivedObjectException e) {
            throw new StepFailure(e.getMessage(), false, e);
        } catch (NoSuchFileException e) {
            throw new StepFailure("there is no backup at " + location.uri(), false, e);
        }
    }

    /** Reads the whole object once only to hash it, before anything is changed. */
    String hashOnly(StepContext ctx) throws IOException, StepFailure {
        ctx.log().info("checking the checksum of " + location.uri() + " before changing anything");
        try (HashingInputStream in = new HashingInputStream(openStored())) {
            in.drain();
            return in.hex();
        }
    }

    /** Fails when a checksum is recorded and the bytes read do not match it. */
    void checkHash(String actual) throws StepFailure {
        if (expectedSha256 != null) {
            checkHash(expectedSha256, actual, location);
        }
    }

    static void checkHash(String expected, String actual, ObjectLocation backup) throws StepFailure {
        if (!expected.equalsIgnoreCase(actual)) {
            throw new StepFailure("checksum mismatch for " + backup.uri() + ": the manifest says sha256 " + expected
                    + " but the object reads as " + actual + ". The backup is corrupted or was replaced; nothing was"
                    + " restored. Use another backup (an older one from s3.latest/list)", false, null);
        }
    }

    private static ObjectInfo statOrFail(ObjectStore store, ObjectLocation backup) throws StepFailure, IOException {
        Optional<ObjectInfo> info = store.stat(backup.key());
        if (info.isEmpty()) {
            throw new StepFailure("there is no backup at " + backup.uri() + "; check the location (s3.latest finds the newest)",
                    false, null);
        }
        if (info.get().archived()) {
            throw new StepFailure(backup.uri() + " is in the " + info.get().storageClass()
                    + " archive tier; restore it to a readable tier first (s3.restore-archived), then run again", false, null);
        }
        return info.get();
    }

    private static Optional<Manifest> readManifest(ObjectStore store, ObjectLocation backup) throws StepFailure {
        String key = BackupKeys.manifestKey(backup.key());
        try {
            if (store.stat(key).isEmpty()) {
                return Optional.empty();
            }
            try (InputStream in = store.open(key)) {
                return Optional.of(Manifest.fromJson(in.readAllBytes()));
            }
        } catch (IOException e) {
            throw new StepFailure("the manifest beside " + backup.uri() + " cannot be read (" + e.getMessage()
                    + "); fix or delete " + backup.sibling(key).uri() + " and run again", false, e);
        }
    }
}
