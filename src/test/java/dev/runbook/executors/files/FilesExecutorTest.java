package dev.runbook.executors.files;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.Sha256;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** files.backup and files.restore against a real file:// store in temp directories. */
class FilesExecutorTest {

    private static final String DB_PASSWORD = "hunter2-db-password-content";
    private static final String ENV = "API_KEY=env-file-secret-content\n";

    @TempDir
    Path tmp;
    Path project;
    Path store;
    Path restoreDir;

    @BeforeEach
    void createFiles() throws Exception {
        project = Files.createDirectories(tmp.resolve("app"));
        Files.createDirectories(project.resolve("secrets"));
        Files.writeString(project.resolve("secrets/db_password"), DB_PASSWORD);
        Files.writeString(project.resolve(".env"), ENV);
        Files.writeString(project.resolve("README.md"), "not a secret, not included");
        store = tmp.resolve("vault-export");
        restoreDir = Files.createDirectories(tmp.resolve("restore-host"));
    }

    private String storeUri() {
        return "file://" + store + "/";
    }

    private RecordingStepContext backup() throws Exception {
        RecordingStepContext ctx = new RecordingStepContext().runbookDir(project);
        Outputs out = new BackupAction().execute(Params.of(Map.of("from", ".", "include", List.of("secrets/", ".env"),
                "to", storeUri())), ctx);
        assertEquals(List.of(".env", "secrets/db_password"), out.asMap().get("files"));
        return ctx;
    }

    private Outputs restore(RecordingStepContext ctx, Map<String, Object> extra) throws Exception {
        Map<String, Object> p = new java.util.HashMap<>(Map.of("from", storeUri(), "to", "app"));
        p.putAll(extra);
        return new RestoreAction().execute(Params.of(p), ctx);
    }

    private RecordingStepContext restoreContext() {
        return new RecordingStepContext().runbookDir(restoreDir);
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static void assertNoContent(RecordingStepContext ctx) {
        assertFalse(ctx.transcript().contains(DB_PASSWORD), ctx.transcript());
        assertFalse(ctx.transcript().contains("env-file-secret-content"), ctx.transcript());
    }

    @Test
    void backupUploadsOnlyTheIncludedFilesWithChecksumsAndAManifest() throws Exception {
        RecordingStepContext ctx = backup();
        assertTrue(Files.exists(store.resolve("secrets/db_password")));
        assertTrue(Files.exists(store.resolve(".env")));
        assertFalse(Files.exists(store.resolve("README.md")));
        String manifest = Files.readString(store.resolve(FilesManifest.NAME));
        assertTrue(manifest.contains(Sha256.hex(DB_PASSWORD.getBytes(StandardCharsets.UTF_8))), manifest);
        assertTrue(ctx.transcript().contains("uploaded secrets/db_password (" + DB_PASSWORD.length() + " bytes)"),
                ctx.transcript());
        assertNoContent(ctx);
    }

    @Test
    void restoreCreatesOwnerOnlyFilesAndDirectories() throws Exception {
        backup();
        RecordingStepContext ctx = restoreContext();
        Outputs out = restore(ctx, Map.of());
        Path app = restoreDir.resolve("app");
        assertEquals(DB_PASSWORD, Files.readString(app.resolve("secrets/db_password")));
        assertEquals(ENV, Files.readString(app.resolve(".env")));
        assertEquals("rw-------", mode(app.resolve("secrets/db_password")));
        assertEquals("rw-------", mode(app.resolve(".env")));
        assertEquals("rwx------", mode(app));
        assertEquals("rwx------", mode(app.resolve("secrets")));
        assertEquals(List.of(".env", "secrets/db_password"), out.asMap().get("files"));
        assertEquals(2L, out.asMap().get("changed"));
        assertTrue(ctx.transcript().contains("restored secrets/db_password (" + DB_PASSWORD.length()
                + " bytes, SHA-256 verified)"), ctx.transcript());
        assertNoContent(ctx);
    }

    @Test
    void identicalExistingFilesAreUnchangedAndTheirModeIsNarrowed() throws Exception {
        backup();
        restore(restoreContext(), Map.of());
        Path env = restoreDir.resolve("app/.env");
        Files.setPosixFilePermissions(env, PosixFilePermissions.fromString("rw-r--r--"));
        RecordingStepContext ctx = restoreContext();
        Outputs out = restore(ctx, Map.of());
        assertEquals(0L, out.asMap().get("changed"));
        assertEquals("rw-------", mode(env));
        assertTrue(ctx.transcript().contains("unchanged .env"), ctx.transcript());
    }

    @Test
    void aDifferingExistingFileIsRefusedUnlessOverwriteIsSet() throws Exception {
        backup();
        Path app = Files.createDirectories(restoreDir.resolve("app"));
        Files.writeString(app.resolve(".env"), "API_KEY=locally-edited\n");
        RecordingStepContext ctx = restoreContext();
        StepFailure f = assertThrows(StepFailure.class, () -> restore(ctx, Map.of()));
        assertTrue(f.getMessage().contains(".env") && f.getMessage().contains("overwrite: true"), f.getMessage());
        assertEquals("API_KEY=locally-edited\n", Files.readString(app.resolve(".env")));
        assertFalse(Files.exists(app.resolve("secrets/db_password")), "all or nothing: no file was written");
        assertFalse(f.getMessage().contains("locally-edited"));

        RecordingStepContext again = restoreContext();
        Outputs out = restore(again, Map.of("overwrite", true));
        assertEquals(ENV, Files.readString(app.resolve(".env")));
        assertEquals("rw-------", mode(app.resolve(".env")));
        assertEquals(2L, out.asMap().get("changed"));
        assertTrue(again.transcript().contains("replaced .env"), again.transcript());
        assertNoContent(again);
    }

    @Test
    void aCorruptStoredCopyIsRefusedByItsMetadataChecksum() throws Exception {
        backup();
        Files.writeString(store.resolve("secrets/db_password"), "tampered-content");
        RecordingStepContext ctx = restoreContext();
        StepFailure f = assertThrows(StepFailure.class, () -> restore(ctx, Map.of()));
        assertTrue(f.getMessage().contains("secrets/db_password: SHA-256 mismatch"), f.getMessage());
        assertFalse(f.retryable());
        assertFalse(Files.exists(restoreDir.resolve("app")), "nothing was written");
        assertFalse(ctx.transcript().contains("tampered-content"));
    }

    @Test
    void withoutMetadataTheManifestIsUsedToVerify() throws Exception {
        backup();
        // a hand copy of the export keeps the files and the manifest but loses the store's metadata
        deleteTree(store.resolve(".runbook-metadata"));
        Outputs out = restore(restoreContext(), Map.of());
        assertEquals(2L, out.asMap().get("changed"));

        Files.writeString(store.resolve(".env"), "API_KEY=changed-after-backup\n");
        StepFailure f = assertThrows(StepFailure.class, () -> restore(new RecordingStepContext()
                .runbookDir(Files.createDirectories(tmp.resolve("other"))), Map.of()));
        assertTrue(f.getMessage().contains(".env: SHA-256 mismatch"), f.getMessage());
    }

    @Test
    void filesWithNoRecordedChecksumAreRefusedUnlessAllowed() throws Exception {
        Files.createDirectories(store);
        Files.writeString(store.resolve(".env"), ENV); // an export made by hand: no metadata, no manifest
        RecordingStepContext ctx = restoreContext();
        StepFailure f = assertThrows(StepFailure.class, () -> restore(ctx, Map.of()));
        assertTrue(f.getMessage().contains("no recorded SHA-256 for .env"), f.getMessage());
        assertFalse(Files.exists(restoreDir.resolve("app/.env")));

        RecordingStepContext allowed = restoreContext();
        restore(allowed, Map.of("allow-unverified", true));
        assertEquals(ENV, Files.readString(restoreDir.resolve("app/.env")));
        assertTrue(allowed.transcript().contains("warn: .env has no recorded checksum"), allowed.transcript());
        assertNoContent(allowed);
    }

    @Test
    void anEmptyLocationFailsClearly() throws Exception {
        Files.createDirectories(store);
        StepFailure f = assertThrows(StepFailure.class, () -> restore(restoreContext(), Map.of()));
        assertTrue(f.getMessage().contains("no files under " + storeUri()), f.getMessage());
    }

    @Test
    void planLinesAndDestructiveness() {
        RestoreAction restore = new RestoreAction();
        Params safe = Params.of(Map.of("from", "s3://ops/secrets/", "to", "."));
        assertFalse(restore.destructive(safe));
        assertEquals("restore the files under s3://ops/secrets/ into . (0600, SHA-256 verified, refusing to replace "
                + "files that differ)", restore.describe(safe));
        assertTrue(restore.destructive(Params.of(Map.of("from", "s3://ops/secrets/", "to", ".", "overwrite", true))));
        assertEquals("upload secrets/, .env of . to s3://ops/secrets/ with SHA-256 checksums and a manifest",
                new BackupAction().describe(Params.of(Map.of("from", ".", "include", List.of("secrets/", ".env"),
                        "to", "s3://ops/secrets/"))));
    }

    private static void deleteTree(Path dir) throws Exception {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
