package dev.runbook.executors.s3;

import dev.runbook.spi.Params;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog's storage column and the prune preview's Glacier note, over HTTP against
 * {@link GlacierStub} (the SDK parses real S3 wire responses). A stub because no S3 server that
 * runs locally (S3Proxy, S3Mock) implements storage classes or Glacier restores.
 */
class CatalogArchiveIT {

    private static final String KEY = "postgres/postgres_20250101T020000Z.sql";

    private static RecordingStepContext ctx() {
        return new RecordingStepContext().env("AWS_ACCESS_KEY_ID", "stub").env("AWS_SECRET_ACCESS_KEY", "stub-secret")
                .env("AWS_REGION", "us-east-1");
    }

    private static Map<String, Object> params(GlacierStub stub, Map<String, Object> own) {
        Map<String, Object> all = new HashMap<>(own);
        all.put("endpoint", stub.endpoint().toString());
        return all;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> onlyBackup(GlacierStub stub) throws Exception {
        Map<String, Object> out = S3ActionsSupport.action("catalog").execute(Params.of(params(stub,
                Map.of("location", "s3://" + GlacierStub.BUCKET + "/postgres/"))), ctx()).asMap();
        assertEquals(1L, out.get("archived"));
        return ((List<Map<String, Object>>) out.get("backups")).get(0);
    }

    @Test
    void catalogShowsAnArchivedBackupBeingRestoredThenReadableUntilItsExpiry() throws Exception {
        try (GlacierStub stub = new GlacierStub(KEY, "GLACIER", new byte[10], 1000, true)) {
            Map<String, Object> b = onlyBackup(stub);
            assertEquals("GLACIER", b.get("storage_class"));
            assertEquals(true, b.get("restoring"));
            assertEquals(null, b.get("restored_until"));
        }
        try (GlacierStub stub = new GlacierStub(KEY, "GLACIER", new byte[10], 0, true)) {
            Map<String, Object> b = onlyBackup(stub);
            assertEquals(false, b.get("restoring"));
            assertEquals("2026-12-04T00:00:00Z", b.get("restored_until"));
        }
        try (GlacierStub stub = new GlacierStub(KEY, "DEEP_ARCHIVE", new byte[10], 0, false)) {
            Map<String, Object> b = onlyBackup(stub);
            assertEquals(false, b.get("restoring"));
            assertEquals(null, b.get("restored_until"));
        }
    }

    @Test
    void pruneStillRunsWhereIncompleteUploadsCannotBeListed() throws Exception {
        // the stub answers no ListMultipartUploads, like a server without it or a key without the permission
        try (GlacierStub stub = new GlacierStub(KEY, "DEEP_ARCHIVE", new byte[10], 0, false)) {
            RecordingStepContext ctx = ctx();
            String preview = S3ActionsSupport.action("prune").probe(Params.of(params(stub, Map.of(
                    "location", "s3://" + GlacierStub.BUCKET + "/postgres/", "keep-last", 1L,
                    "abort-uploads-older-than", "1d"))), ctx).orElseThrow();
            assertTrue(ctx.transcript().contains("cannot list incomplete uploads"), ctx.transcript());
            assertTrue(preview.contains("keep   " + KEY + " (last 1, newest backup)"), preview);
            assertTrue(preview.contains("note: incomplete uploads not checked (see the warning)"), preview);
        }
    }
}
