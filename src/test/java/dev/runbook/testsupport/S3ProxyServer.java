package dev.runbook.testsupport;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A real S3 API server for tests: S3Proxy 4.1 (org.gaul:s3proxy) over an in-memory store, run in
 * a child JVM on a free loopback port, with AWS signature v2/v4 authentication.
 *
 * <pre>{@code
 * try (S3ProxyServer s3 = S3ProxyServer.start()) {
 *     s3.createBucket("backups");
 *     ObjectStore store = ObjectStores.open(StorageUri.parse("s3://backups/"), s3.options(), s3.env());
 *     ctx.env(...) // or put s3.env() into a RecordingStepContext
 * }
 * }</pre>
 *
 * Known limits of S3Proxy (see shared/NOTES.md): no checksums in responses, lifecycle calls
 * answer 501, downloads through a multipart-enabled client answer 501.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "runbook-test-access";
    public static final String SECRET_KEY = "runbook-test-secret-key";
    public static final String REGION = "us-east-1";

    private final LocalJavaServer server;
    private final S3Client client;

    private S3ProxyServer(LocalJavaServer server) {
        this.server = server;
        this.client = clientFor(endpoint(), ACCESS_KEY, SECRET_KEY).build();
    }

    /**
     * A plain SDK client for a local S3 server (S3Proxy, S3Mock): path-style, static credentials,
     * checksums only where required (these servers do not return the SDK's default ones).
     */
    public static software.amazon.awssdk.services.s3.S3ClientBuilder clientFor(URI endpoint, String accessKey, String secretKey) {
        return S3Client.builder()
                .endpointOverride(endpoint)
                .region(Region.of(REGION))
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }

    /** S3Proxy's settings for tests; the caller adds the jclouds provider (transient, filesystem). */
    public static Properties settings(int port, String accessKey, String secretKey) {
        return settings("127.0.0.1", port, accessKey, secretKey);
    }

    /** The same, listening on {@code bindHost} (e.g. 0.0.0.0 so that containers reach it). */
    public static Properties settings(String bindHost, int port, String accessKey, String secretKey) {
        Properties p = new Properties();
        p.setProperty("s3proxy.endpoint", "http://" + bindHost + ":" + port);
        p.setProperty("s3proxy.authorization", "aws-v2-or-v4");
        p.setProperty("s3proxy.identity", accessKey);
        p.setProperty("s3proxy.credential", secretKey);
        // SDK 2.57 sends headers S3Proxy does not know (e.g. on CompleteMultipartUpload)
        p.setProperty("s3proxy.ignore-unknown-headers", "true");
        p.setProperty("jclouds.identity", "unused");
        p.setProperty("jclouds.credential", "unused");
        return p;
    }

    public static S3ProxyServer start() throws IOException {
        return start("127.0.0.1");
    }

    /**
     * An in-memory S3Proxy listening on {@code bindHost}; {@code "0.0.0.0"} makes it reachable
     * from containers and pods (at the Docker bridge's gateway) as well as at 127.0.0.1.
     */
    public static S3ProxyServer start(String bindHost) throws IOException {
        return start(bindHost, "aws-v2-or-v4");
    }

    /** An in-memory S3Proxy that checks no signatures: for a relay that edits headers ({@link ChecksumBlindRelay}). */
    public static S3ProxyServer startWithoutAuthorization() throws IOException {
        return start("127.0.0.1", "none");
    }

    private static S3ProxyServer start(String bindHost, String authorization) throws IOException {
        int port = LocalJavaServer.freePort();
        Properties p = settings(bindHost, port, ACCESS_KEY, SECRET_KEY);
        p.setProperty("s3proxy.authorization", authorization);
        p.setProperty("jclouds.provider", "transient");
        Path props = Files.createTempFile("s3proxy-", ".properties");
        try (var out = Files.newOutputStream(props)) {
            p.store(out, "S3Proxy for tests");
        }
        return new S3ProxyServer(LocalJavaServer.start("s3proxy", "org.gaul.s3proxy.Main",
                List.of("--properties", props.toString()), port, Duration.ofSeconds(60)));
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    public int port() {
        return server.port();
    }

    /** Creates a bucket and returns its name. */
    public String createBucket(String name) {
        client.createBucket(b -> b.bucket(name));
        return name;
    }

    /** A plain SDK client on this server, for test set-up and assertions. */
    public S3Client client() {
        return client;
    }

    /** The store options pointing at this server: endpoint and path-style. */
    public Map<String, String> options() {
        Map<String, String> o = new HashMap<>();
        o.put("endpoint", endpoint().toString());
        o.put("path-style", "true");
        return o;
    }

    /** The environment a run (or the AWS CLI) needs to authenticate against this server. */
    public Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_REGION", REGION, "AWS_EC2_METADATA_DISABLED", "true");
    }

    public Path log() {
        return server.log();
    }

    @Override
    public void close() {
        client.close();
        server.close();
    }
}
