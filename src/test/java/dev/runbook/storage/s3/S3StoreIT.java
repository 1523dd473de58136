package dev.runbook.storage.s3;

import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.NoSuchFileException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** S3Store against S3Proxy, a real S3 API server running locally. */
class S3StoreIT {

    private static final int MIB = 1024 * 1024;
    private static S3ProxyServer s3;
    private static String bucket;

    @BeforeAll
    static void startServer() throws IOException {
        s3 = S3ProxyServer.start();
        bucket = s3.createBucket("store-it");
    }

    @AfterAll
    static void stopServer() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static ObjectStore store(Map<String, String> extra) {
        Map<String, String> options = new HashMap<>(s3.options());
        options.putAll(extra);
        return ObjectStores.open(StorageUri.parse("s3://" + bucket + "/"), options, s3.env());
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void streamsAnUploadOfUnknownLengthInSeveralPartsAndReadsItBackByteForByte() throws Exception {
        byte[] data = random(12 * MIB + 12345, 1);
        try (ObjectStore store = store(Map.of("part-size", String.valueOf(5 * MIB)))) {
            ObjectInfo info;
            try (ObjectStore.Upload upload = store.startUpload("postgres/big.sql", Map.of("sha256", "abc"), -1)) {
                OutputStream out = upload.stream();
                for (int off = 0; off < data.length; off += 64 * 1024) {
                    out.write(data, off, Math.min(64 * 1024, data.length - off));
                }
                info = upload.commit();
            }
            assertEquals(data.length, info.size());
            assertEquals("abc", info.metadata().get("sha256"));
            // S3 marks multipart objects with an ETag "<md5 of part md5s>-<number of parts>"
            String etag = s3.client().headObject(h -> h.bucket(bucket).key("postgres/big.sql")).eTag();
            assertTrue(etag.replace("\"", "").endsWith("-3"), "expected a 3-part upload, ETag " + etag);
            try (InputStream in = store.open("postgres/big.sql")) {
                assertArrayEquals(data, in.readAllBytes());
            }
        }
    }

    @Test
    void abortedMultipartUploadLeavesNoObjectAndNoUploadInProgress() throws Exception {
        try (ObjectStore store = store(Map.of("part-size", String.valueOf(5 * MIB)))) {
            ObjectStore.Upload upload = store.startUpload("postgres/aborted.sql", Map.of(), -1);
            upload.stream().write(random(11 * MIB, 2)); // two parts sent, the third buffered
            upload.stream().flush();
            boolean serverListsUploads = awaitUploadsInProgress(1);
            upload.abort();
            upload.abort(); // safe twice

            assertTrue(store.stat("postgres/aborted.sql").isEmpty());
            assertThrows(NoSuchFileException.class, () -> store.open("postgres/aborted.sql"));
            if (serverListsUploads) {
                List<MultipartUpload> inProgress = uploadsInProgress();
                assertTrue(inProgress.isEmpty(), "uploads still in progress: " + inProgress);
            }
        }
    }

    /** Waits until the server lists that many multipart uploads; false when it cannot list them. */
    private static boolean awaitUploadsInProgress(int count) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try {
                if (uploadsInProgress().size() >= count) {
                    return true;
                }
            } catch (S3Exception notImplemented) {
                return false;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the multipart upload never showed up on the server");
    }

    private static List<MultipartUpload> uploadsInProgress() {
        return s3.client().listMultipartUploads(l -> l.bucket(bucket).prefix("postgres/")).uploads();
    }

    @Test
    void abortedSmallUploadLeavesNoObject() throws Exception {
        try (ObjectStore store = store(Map.of())) {
            try (ObjectStore.Upload upload = store.startUpload("postgres/small.sql", Map.of(), 100)) {
                upload.stream().write("CREATE TABLE t();".getBytes());
                // closed without commit: aborts
            }
            assertTrue(store.stat("postgres/small.sql").isEmpty());
        }
    }

    @Test
    void putStatListAndDeleteKeepUserMetadata() throws Exception {
        try (ObjectStore store = store(Map.of())) {
            store.put("meta/a.json", "{}".getBytes(), Map.of("sha256", "00ff", "database", "app"));
            ObjectInfo info = store.stat("meta/a.json").orElseThrow();
            assertEquals(Map.of("sha256", "00ff", "database", "app"), info.metadata());
            assertEquals("STANDARD", info.storageClass());
            assertEquals(List.of("meta/a.json"), store.list("meta/").stream().map(ObjectInfo::key).toList());
            store.delete("meta/a.json");
            assertTrue(store.stat("meta/a.json").isEmpty());
        }
    }

    @Test
    void missingKeyIsNoSuchFile() {
        try (ObjectStore store = store(Map.of())) {
            NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> store.open("nope/missing.sql"));
            assertTrue(e.getMessage().contains("s3://store-it/nope/missing.sql"), e.getMessage());
        }
    }

    @Test
    void unreachableEndpointIsAClearErrorNamingIt() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, String> options = Map.of("endpoint", "http://127.0.0.1:" + closedPort);
        try (ObjectStore store = ObjectStores.open(StorageUri.parse("s3://b/"), options, s3.env())) {
            IOException e = assertThrows(IOException.class, () -> store.list("x/"));
            assertTrue(e.getMessage().contains("http://127.0.0.1:" + closedPort), e.getMessage());
            assertTrue(e.getMessage().contains("unreachable"), e.getMessage());
        }
        Map<String, String> small = Map.of("endpoint", "http://127.0.0.1:" + closedPort, "part-size", String.valueOf(5 * MIB));
        try (ObjectStore store = ObjectStores.open(StorageUri.parse("s3://b/"), small, s3.env())) {
            // big enough that the SDK must start the multipart upload while we still write
            IOException e = assertThrows(IOException.class, () -> {
                try (ObjectStore.Upload upload = store.startUpload("k.sql", Map.of(), -1)) {
                    byte[] chunk = new byte[MIB];
                    for (int i = 0; i < 20; i++) {
                        upload.stream().write(chunk);
                    }
                    upload.commit();
                }
            });
            assertTrue(e.getMessage().contains("http://127.0.0.1:" + closedPort), e.getMessage());
        }
    }

    @Test
    void missingBucketIsNamed() {
        try (ObjectStore store = ObjectStores.open(StorageUri.parse("s3://no-such-bucket/"), s3.options(), s3.env())) {
            IOException e = assertThrows(IOException.class, () -> store.put("k", new byte[1], Map.of()));
            assertTrue(e.getMessage().contains("s3://no-such-bucket/k"), e.getMessage());
            assertTrue(e.getMessage().contains("bucket does not exist"), e.getMessage());
        }
    }
}
