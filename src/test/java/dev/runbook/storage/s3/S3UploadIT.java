package dev.runbook.storage.s3;

import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import dev.runbook.testsupport.ChecksumBlindRelay;
import dev.runbook.testsupport.S3MockServer;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The parallel multipart upload against the local S3 servers: S3Mock 4.12 and S3Proxy 4.1 both
 * check the CRC32C of every part (and keep the object's composite checksum); behind a relay that
 * drops checksum headers, S3Proxy stands for a server without checksum support, which the
 * upload must detect on the first part, say once, and still complete.
 */
class S3UploadIT {

    private static final int MIB = 1024 * 1024;
    private static S3MockServer mock;
    private static S3ProxyServer proxy;
    private static S3ProxyServer open;
    private static ChecksumBlindRelay blind;

    @BeforeAll
    static void start() throws Exception {
        mock = S3MockServer.start();
        mock.createBucket("checked");
        proxy = S3ProxyServer.start();
        proxy.createBucket("checked-too");
        open = S3ProxyServer.startWithoutAuthorization();
        open.createBucket("unchecked");
        blind = ChecksumBlindRelay.start(open.endpoint());
    }

    @AfterAll
    static void stop() {
        if (mock != null) {
            mock.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (blind != null) {
            blind.close();
        }
        if (open != null) {
            open.close();
        }

    }

    private static ObjectStore store(String uri, java.net.URI endpoint, Map<String, String> env, String inFlight) {
        Map<String, String> o = new HashMap<>(Map.of("endpoint", endpoint.toString(), "path-style", "true",
                "part-size", String.valueOf(5 * MIB), "parts-in-flight", inFlight));
        return ObjectStores.open(StorageUri.parse(uri), o, env);
    }

    private static byte[] upload(ObjectStore store, String key, int size, List<String> log) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        try (ObjectStore.Upload upload = store.startUpload(key, Map.of("k", "v"), -1, log::add)) {
            OutputStream out = upload.stream();
            for (int off = 0; off < data.length; off += 100_000) {
                out.write(data, off, Math.min(100_000, data.length - off));
            }
            ObjectInfo info = upload.commit();
            assertEquals(size, info.size());
            assertEquals("v", info.metadata().get("k"));
        }
        return data;
    }

    @Test
    void aServerThatChecksChecksumsChecksEveryPartAndTheWholeObject() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        byte[] data;
        try (ObjectStore store = store("s3://checked/", mock.endpoint(), mock.env(), "3")) {
            data = upload(store, "db/seven-parts.sql", 33 * MIB + 17, log);
            try (InputStream in = store.open("db/seven-parts.sql")) {
                assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(data),
                        MessageDigest.getInstance("SHA-256").digest(in.readAllBytes()));
            }
        }
        assertTrue(log.contains("S3 checked the CRC32C of each of the 7 parts on arrival"), log.toString());
        assertFalse(log.stream().anyMatch(l -> l.contains("does not check")), log.toString());
        String stored = mock.client().headObject(h -> h.bucket("checked").key("db/seven-parts.sql")
                .checksumMode(ChecksumMode.ENABLED)).checksumCRC32C();
        assertTrue(stored != null && stored.endsWith("-7"), "composite CRC32C of 7 parts, got " + stored);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("stored object checked with HEAD") && l.contains(stored)),
                log.toString());
    }

    @Test
    void aSmallObjectGoesInOnePutWithItsChecksum() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (ObjectStore store = store("s3://checked/", mock.endpoint(), mock.env(), "4")) {
            byte[] data = upload(store, "db/small.sql", 1234, log);
            try (InputStream in = store.open("db/small.sql")) {
                assertArrayEquals(data, in.readAllBytes());
            }
        }
        String stored = mock.client().headObject(h -> h.bucket("checked").key("db/small.sql")
                .checksumMode(ChecksumMode.ENABLED)).checksumCRC32C();
        assertTrue(log.stream().anyMatch(l -> l.contains("CRC32C " + stored)), stored + " " + log);
    }

    /** The premise of the part checksums: the server refuses a part whose bytes do not match the checksum sent. */
    @Test
    void theCheckingServerRefusesADamagedPart() {
        refusesDamagedPart(mock.client(), "checked");
    }

    @Test
    void s3ProxyChecksPartsToo() {
        refusesDamagedPart(proxy.client(), "checked-too");
    }

    private static void refusesDamagedPart(S3Client c, String bucket) {
        String id = c.createMultipartUpload(m -> m.bucket(bucket).key("db/damaged").checksumAlgorithm(ChecksumAlgorithm.CRC32_C))
                .uploadId();
        byte[] part = new byte[1000];
        String crcOfOtherBytes = Crc32c.base64(Crc32c.of(new byte[] {1, 2, 3}, 3));
        assertThrows(S3Exception.class, () -> c.uploadPart(u -> u.bucket(bucket).key("db/damaged").uploadId(id).partNumber(1)
                .checksumCRC32C(crcOfOtherBytes), software.amazon.awssdk.core.sync.RequestBody.fromBytes(part)));
        c.abortMultipartUpload(a -> a.bucket(bucket).key("db/damaged").uploadId(id));
    }

    @Test
    void s3ProxyChecksEveryPartOfALargerUpload() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (ObjectStore store = store("s3://checked-too/", proxy.endpoint(), proxy.env(), "4")) {
            byte[] data = upload(store, "db/plain.sql", 21 * MIB + 3, log);
            try (InputStream in = store.open("db/plain.sql")) {
                assertArrayEquals(data, in.readAllBytes());
            }
        }
        assertTrue(log.contains("S3 checked the CRC32C of each of the 5 parts on arrival"), log.toString());
    }

    @Test
    void aServerWithoutChecksumsIsDetectedOnceAndTheUploadStillSucceeds() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        try (ObjectStore store = store("s3://unchecked/", blind.endpoint(), open.env(), "4")) {
            byte[] data = upload(store, "db/plain.sql", 21 * MIB + 3, log);
            try (InputStream in = store.open("db/plain.sql")) {
                assertArrayEquals(data, in.readAllBytes());
            }
        }
        assertEquals(1, log.stream().filter(l -> l.contains("does not check part checksums")).count(), log.toString());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("stored object checked with HEAD, without reading it back: size "
                + (21 * MIB + 3) + " bytes, ETag")), log.toString());
        assertFalse(log.stream().anyMatch(l -> l.startsWith("S3 checked")), log.toString());
        assertEquals(List.of(), open.client().listMultipartUploads(l -> l.bucket("unchecked")).uploads());
    }
}
