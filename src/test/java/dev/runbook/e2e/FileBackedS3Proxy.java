package dev.runbook.e2e;

import dev.runbook.testsupport.S3ProxyServer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * S3Proxy 4.1 over a local directory (jclouds "filesystem" store) in a child JVM, which, unlike
 * the in-memory {@code testsupport.S3ProxyServer}, keeps its objects when it is stopped: the
 * fault tests stop it in the middle of an upload, start it again on the same port and look
 * at what is left. Same credentials and settings as {@code S3ProxyServer}.
 */
final class FileBackedS3Proxy implements AutoCloseable {

    static final String ACCESS_KEY = "runbook-e2e-access";
    static final String SECRET_KEY = "runbook-e2e-secret-key";
    static final String REGION = "us-east-1";

    private final int port;
    private final Path dir;
    private final Path properties;
    private final Path log;
    private final S3Client client;
    private Process process;

    private FileBackedS3Proxy(int port, Path dir) throws IOException {
        this.port = port;
        this.dir = dir;
        this.log = Files.createTempFile("s3proxy-fs-", ".log");
        Properties p = S3ProxyServer.settings(port, ACCESS_KEY, SECRET_KEY);
        p.setProperty("jclouds.provider", "filesystem");
        p.setProperty("jclouds.filesystem.basedir", dir.resolve("store").toString());
        this.properties = dir.resolve("s3proxy.properties");
        try (var out = Files.newOutputStream(properties)) {
            p.store(out, "S3Proxy over a directory, for the end-to-end fault tests");
        }
        this.client = S3ProxyServer.clientFor(endpoint(), ACCESS_KEY, SECRET_KEY).build();
    }

    static FileBackedS3Proxy start() throws IOException {
        Path dir = Files.createTempDirectory("s3proxy-fs-");
        Files.createDirectories(dir.resolve("store"));
        FileBackedS3Proxy s3 = new FileBackedS3Proxy(freePort(), dir);
        s3.startProcess();
        return s3;
    }

    /** Starts the server (again) on the same port over the same directory. */
    synchronized void startProcess() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        process = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", classpath,
                "org.gaul.s3proxy.Main", "--properties", properties.toString()))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IOException("S3Proxy exited during startup; log: " + Files.readString(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(100);
            }
        }
        throw new IOException("S3Proxy did not listen on " + port + "; log: " + log);
    }

    /** Kills the server at once (SIGKILL): connections in flight break, like a crashed endpoint. */
    synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    S3Client client() {
        return client;
    }

    String createBucket(String name) {
        client.createBucket(b -> b.bucket(name));
        return name;
    }

    /** Keys under a prefix, all pages. */
    List<String> keys(String bucket, String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(S3Object::key).sorted().toList();
    }

    /** Multipart uploads still open under a prefix (parts that would be billed until aborted). */
    List<String> openUploads(String bucket, String prefix) {
        return client.listMultipartUploads(b -> b.bucket(bucket).prefix(prefix)).uploads().stream()
                .map(u -> u.key() + " " + u.uploadId()).toList();
    }

    /** The directory that holds the bucket's files, to look for stray part files. */
    Path storeDir() {
        return dir.resolve("store");
    }

    Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_REGION", REGION, "AWS_EC2_METADATA_DISABLED", "true",
                "AWS_ENDPOINT_URL", endpoint().toString());
    }

    Path log() {
        return log;
    }

    @Override
    public void close() {
        client.close();
        kill();
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
