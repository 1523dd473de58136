package dev.runbook.storage.s3;

import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import dev.runbook.testsupport.S3MockServer;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Downloads through {@link RangedReader} (what {@link S3Store#open} uses) against S3Proxy and
 * S3Mock, real S3 API servers running locally: objects of several ranges come back byte for byte,
 * a range whose connection is cut mid-body is fetched again, and an object replaced mid-read fails.
 */
class RangedReaderIT {

    private static final int MIB = 1024 * 1024;
    private static S3ProxyServer s3proxy;
    private static S3MockServer s3mock;

    @BeforeAll
    static void start() throws IOException {
        s3proxy = S3ProxyServer.start();
        s3proxy.createBucket("ranged");
        s3mock = S3MockServer.start();
        s3mock.createBucket("ranged");
    }

    @AfterAll
    static void stop() {
        if (s3proxy != null) {
            s3proxy.close();
        }
        if (s3mock != null) {
            s3mock.close();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static ObjectStore store(URI endpoint, Map<String, String> env) {
        Map<String, String> options = new HashMap<>();
        options.put("endpoint", endpoint.toString());
        options.put("path-style", "true");
        return ObjectStores.open(StorageUri.parse("s3://ranged/"), options, env);
    }

    private static byte[] readAll(ObjectStore store, String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return in.readAllBytes();
        }
    }

    @Test
    void objectsOfManyRangesOneRangeAndNoBytesReadBackExactlyFromS3Proxy() throws Exception {
        byte[] big = random(3 * S3Store.READ_RANGE_SIZE * 2 + 12345, 1); // 6 ranges and a bit: more than in flight
        s3proxy.client().putObject(p -> p.bucket("ranged").key("big"), RequestBody.fromBytes(big));
        s3proxy.client().putObject(p -> p.bucket("ranged").key("small"), RequestBody.fromBytes(random(100, 2)));
        s3proxy.client().putObject(p -> p.bucket("ranged").key("empty"), RequestBody.empty());
        try (ObjectStore store = store(s3proxy.endpoint(), s3proxy.env())) {
            assertArrayEquals(big, readAll(store, "big"));
            assertArrayEquals(random(100, 2), readAll(store, "small"));
            assertEquals(0, readAll(store, "empty").length);
            assertThrows(java.nio.file.NoSuchFileException.class, () -> store.open("missing"));
        }
    }

    @Test
    void objectsOfManyRangesReadBackExactlyFromS3Mock() throws Exception {
        byte[] big = random(2 * S3Store.READ_RANGE_SIZE + 77, 3);
        s3mock.client().putObject(p -> p.bucket("ranged").key("big"), RequestBody.fromBytes(big));
        s3mock.client().putObject(p -> p.bucket("ranged").key("empty"), RequestBody.empty());
        try (ObjectStore store = store(s3mock.endpoint(), s3mock.env())) {
            assertArrayEquals(big, readAll(store, "big"));
            assertEquals(0, readAll(store, "empty").length);
        }
    }

    @Test
    void aRangeWhoseConnectionIsCutMidBodyIsFetchedAgain() throws Exception {
        byte[] big = random(5 * S3Store.READ_RANGE_SIZE + 5, 4);
        s3proxy.client().putObject(p -> p.bucket("ranged").key("cut"), RequestBody.fromBytes(big));
        try (CuttingRelay relay = new CuttingRelay(s3proxy.port(), 20L * MIB);
             ObjectStore store = store(URI.create("http://127.0.0.1:" + relay.port()), s3proxy.env())) {
            assertArrayEquals(big, readAll(store, "cut"));
            assertTrue(relay.cut.get(), "the relay cut one connection mid-response");
        }
    }

    @Test
    void anObjectReplacedWhileItIsReadFailsInsteadOfMixingTwoObjects() throws Exception {
        byte[] first = random(6 * S3Store.READ_RANGE_SIZE, 5);
        s3proxy.client().putObject(p -> p.bucket("ranged").key("replaced"), RequestBody.fromBytes(first));
        try (ObjectStore store = store(s3proxy.endpoint(), s3proxy.env());
             InputStream in = store.open("replaced")) {
            in.readNBytes(S3Store.READ_RANGE_SIZE); // the first range, read before the swap
            s3proxy.client().putObject(p -> p.bucket("ranged").key("replaced"), RequestBody.fromBytes(random(6 * S3Store.READ_RANGE_SIZE, 6)));
            IOException e = assertThrows(IOException.class, in::readAllBytes);
            assertTrue(e.getMessage().contains("was replaced while it was being read"), e.getMessage());
        }
    }

    /**
     * A TCP relay in front of the S3 server that cuts one connection once it has passed
     * {@code cutAfter} response bytes in all: a network failure in the middle of a range's body.
     */
    private static final class CuttingRelay implements AutoCloseable {

        private final ServerSocket server;
        private final AtomicLong relayed = new AtomicLong();
        private final AtomicBoolean cut = new AtomicBoolean();
        private final long cutAfter;
        private final int upstream;

        CuttingRelay(int upstream, long cutAfter) throws IOException {
            this.upstream = upstream;
            this.cutAfter = cutAfter;
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread accept = new Thread(this::accept, "cutting-relay");
            accept.setDaemon(true);
            accept.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    Socket up = new Socket(InetAddress.getLoopbackAddress(), upstream);
                    pump(client, up, false);
                    pump(up, client, true);
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void pump(Socket from, Socket to, boolean response) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[64 * 1024];
                try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                    int n;
                    while ((n = in.read(buf)) >= 0) {
                        out.write(buf, 0, n);
                        if (response && relayed.addAndGet(n) > cutAfter && cut.compareAndSet(false, true)) {
                            break; // closing both ends mid-body
                        }
                    }
                } catch (IOException e) {
                    // the other direction closed
                } finally {
                    try {
                        from.close();
                        to.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
