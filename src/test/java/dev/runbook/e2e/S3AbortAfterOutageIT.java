package dev.runbook.e2e;

import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A streamed multipart upload whose S3 endpoint dies (S3Proxy over a directory, killed with
 * SIGKILL): the abort is tried again while the endpoint restarts, so nothing is left; when the
 * endpoint stays away, the abort says that an incomplete upload is left and how it goes away.
 */
class S3AbortAfterOutageIT {

    private static final int MIB = 1024 * 1024;
    private static FileBackedS3Proxy s3;
    private static final String BUCKET = "abort-outage";

    @BeforeAll
    static void start() throws IOException {
        s3 = FileBackedS3Proxy.start();
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    /** Starts an upload of unknown length and writes until its multipart upload is open on the server. */
    private static ObjectStore.Upload uploadInProgress(ObjectStore store, String key) throws Exception {
        ObjectStore.Upload upload = store.startUpload(key, Map.of(), -1);
        OutputStream out = upload.stream();
        byte[] chunk = new byte[256 * 1024];
        new Random(7).nextBytes(chunk);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int written = 0;
        while (s3.openUploads(BUCKET, key).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "no multipart upload started");
            if (written < 14 * MIB) { // two parts and a bit: the SDK starts the multipart upload
                out.write(chunk);
                written += chunk.length;
            } else {
                Thread.sleep(50);
            }
        }
        return upload;
    }

    private static ObjectStore store() {
        return ObjectStores.open(StorageUri.parse("s3://" + BUCKET + "/"), Map.of("part-size", String.valueOf(5 * MIB)), s3.env());
    }

    @Test
    void anEndpointBackWithinTheRetriesHasItsUploadAborted() throws Exception {
        String key = "postgres/back.sql";
        try (ObjectStore store = store()) {
            ObjectStore.Upload upload = uploadInProgress(store, key);
            s3.kill();
            CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1500); // the first abort tries hit a dead endpoint
                    s3.startProcess();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Optional<String> left = upload.abort();
            restart.get(60, TimeUnit.SECONDS);

            assertEquals(Optional.empty(), left, "the endpoint came back, yet the abort gave up");
            assertEquals(List.of(), s3.openUploads(BUCKET, key), "the incomplete upload was not aborted");
            Thread.sleep(3000); // a part upload still being retried used to land after the abort and revive it
            assertEquals(List.of(), s3.openUploads(BUCKET, key), "a late part brought the aborted upload back");
            assertEquals(List.of(), s3.keys(BUCKET, key));
        }
    }

    @Test
    void anEndpointThatStaysAwayLeavesAnUploadAndTheAbortSaysSo() throws Exception {
        String key = "postgres/away.sql";
        Optional<String> left;
        try (ObjectStore store = store()) {
            ObjectStore.Upload upload = uploadInProgress(store, key);
            s3.kill();
            left = upload.abort();
        } finally {
            s3.startProcess();
        }
        assertTrue(left.isPresent(), "the abort did not say that something may be left");
        String note = left.get();
        assertTrue(note.contains("s3://" + BUCKET + "/" + key), note);
        assertTrue(note.contains("lifecycle rule") && note.contains("incomplete multipart uploads"), note);
        assertTrue(note.contains("aws s3api abort-multipart-upload --bucket " + BUCKET + " --key " + key), note);
        // and it is really there: the note is not a guess
        List<String> open = s3.openUploads(BUCKET, key);
        assertEquals(1, open.size(), open.toString());
    }
}
