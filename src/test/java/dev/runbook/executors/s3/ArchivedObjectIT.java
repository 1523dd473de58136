package dev.runbook.executors.s3;

import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ArchivedObjectException;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The archived-object decisions (detect, request a restore, poll until readable) with the real
 * SDK over HTTP against {@link GlacierStub}. No S3 server that runs locally implements Glacier
 * (no server here refuses reads of GLACIER objects or performs restores), so this is the one
 * place the S3 wire protocol is stubbed rather than served for real.
 */
class ArchivedObjectIT {

    private static final String KEY = "postgres/postgres_20250101T020000Z.sql";
    private static final byte[] BODY = "CREATE TABLE archived();\n".getBytes();

    @TempDir
    Path tmp;

    private static RecordingStepContext ctx() {
        return new RecordingStepContext()
                .env("AWS_ACCESS_KEY_ID", "stub").env("AWS_SECRET_ACCESS_KEY", "stub-secret").env("AWS_REGION", "us-east-1");
    }

    private static Map<String, Object> run(String action, GlacierStub stub, RecordingStepContext ctx, Map<String, Object> params)
            throws Exception {
        Map<String, Object> all = new HashMap<>(params);
        all.put("endpoint", stub.endpoint().toString());
        return S3ActionsSupport.action(action).execute(Params.of(all), ctx).asMap();
    }

    @Test
    void readingAnArchivedObjectSaysToRestoreItFirst() throws Exception {
        try (GlacierStub stub = new GlacierStub(KEY, "DEEP_ARCHIVE", BODY, 0, false)) {
            try (ObjectStore store = ObjectStores.open(StorageUri.parse("s3://archive/"),
                    Map.of("endpoint", stub.endpoint().toString()), ctx().env())) {
                ArchivedObjectException e = assertThrows(ArchivedObjectException.class, () -> store.open(KEY));
                assertEquals("DEEP_ARCHIVE", e.storageClass());
                assertEquals(KEY, e.key());
            }
            Path target = tmp.resolve("x.sql");
            StepFailure download = assertThrows(StepFailure.class, () ->
                    run("download", stub, ctx(), Map.of("from", "s3://archive/" + KEY, "to", target.toString())));
            assertTrue(download.getMessage().contains("s3.restore-archived"), download.getMessage());
            assertTrue(download.getMessage().contains("aws s3api restore-object --bucket archive --key " + KEY),
                    download.getMessage());
            assertFalse(download.getMessage().contains("InvalidObjectState"), download.getMessage());
            assertFalse(download.retryable());
            assertFalse(Files.exists(target));
            assertFalse(Files.exists(tmp.resolve(".x.sql.partial")));

            StepFailure verify = assertThrows(StepFailure.class, () ->
                    run("verify", stub, ctx(), Map.of("object", "s3://archive/" + KEY, "sha256", "00")));
            assertTrue(verify.getMessage().contains("DEEP_ARCHIVE archive tier"), verify.getMessage());
        }
    }

    @Test
    void requestsARestorePollsUntilReadableThenTheDownloadWorks() throws Exception {
        try (GlacierStub stub = new GlacierStub(KEY, "GLACIER", BODY, 3, false)) {
            RecordingStepContext ctx = ctx();
            Map<String, Object> out = run("restore-archived", stub, ctx, Map.of("object", "s3://archive/" + KEY,
                    "tier", "Bulk", "days", 3L, "poll-interval", "50ms", "within", "20s"));
            assertEquals(true, out.get("restored"));
            assertEquals(true, out.get("requested"));
            assertEquals("GLACIER", out.get("storage-class"));
            assertEquals("2026-12-04T00:00:00Z", out.get("restored-until"));
            assertEquals(1, stub.restoreRequests.size());
            assertTrue(stub.restoreRequests.get(0).contains("<Days>3</Days>"), stub.restoreRequests.get(0));
            assertTrue(stub.restoreRequests.get(0).contains("<Tier>Bulk</Tier>"), stub.restoreRequests.get(0));
            assertTrue(ctx.transcript().contains("requested a Bulk restore of s3://archive/" + KEY), ctx.transcript());
            assertTrue(ctx.transcript().contains("still in progress"), ctx.transcript());
            assertTrue(ctx.transcript().contains("info: waiting for the archive restore: "), ctx.transcript());

            Path target = tmp.resolve("restored.sql");
            run("download", stub, ctx(), Map.of("from", "s3://archive/" + KEY, "to", target.toString()));
            assertEquals(new String(BODY), Files.readString(target));

            // running the step again: already restored, nothing requested
            Map<String, Object> again = run("restore-archived", stub, ctx(), Map.of("object", "s3://archive/" + KEY));
            assertEquals(true, again.get("restored"));
            assertEquals(false, again.get("requested"));
            assertEquals(1, stub.restoreRequests.size());
        }
    }

    @Test
    void aRestoreAlreadyRunningIsAwaitedNotRequestedAgain() throws Exception {
        try (GlacierStub stub = new GlacierStub(KEY, "GLACIER", BODY, 2, true)) {
            RecordingStepContext ctx = ctx();
            Map<String, Object> out = run("restore-archived", stub, ctx, Map.of("object", "s3://archive/" + KEY,
                    "poll-interval", "50ms", "within", "20s"));
            assertEquals(true, out.get("restored"));
            assertEquals(false, out.get("requested"));
            assertTrue(stub.restoreRequests.isEmpty());
            assertTrue(ctx.transcript().contains("already in progress"), ctx.transcript());
        }
    }

    @Test
    void givesUpClearlyWhenTheWindowEnds() throws Exception {
        try (GlacierStub stub = new GlacierStub(KEY, "GLACIER", BODY, Integer.MAX_VALUE, false)) {
            StepFailure e = assertThrows(StepFailure.class, () -> run("restore-archived", stub, ctx(),
                    Map.of("object", "s3://archive/" + KEY, "poll-interval", "50ms", "within", "400ms")));
            assertTrue(e.getMessage().contains("still in progress"), e.getMessage());
            assertTrue(e.getMessage().contains("run this step again later"), e.getMessage());
            assertEquals(1, stub.restoreRequests.size());
        }
    }

    @Test
    void anObjectThatIsNotArchivedIsANoOpWithANote() throws Exception {
        try (GlacierStub stub = new GlacierStub(KEY, "STANDARD", BODY, 0, false)) {
            RecordingStepContext ctx = ctx();
            Map<String, Object> out = run("restore-archived", stub, ctx, Map.of("object", "s3://archive/" + KEY));
            assertEquals(true, out.get("restored"));
            assertEquals(false, out.get("requested"));
            assertTrue(stub.restoreRequests.isEmpty());
            assertTrue(ctx.transcript().contains("not archived: nothing to restore"), ctx.transcript());
        }
    }
}
