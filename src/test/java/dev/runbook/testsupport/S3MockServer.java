package dev.runbook.testsupport;

import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Adobe S3Mock 4.12 (a real S3 API server on Spring Boot) in a child JVM on a free loopback
 * port; used where S3Proxy falls short, i.e. bucket lifecycle configuration.
 *
 * <p>Known S3Mock bug: after PutBucketLifecycleConfiguration a bucket's existing objects vanish
 * from listings. Set lifecycle rules before writing objects. It accepts any credentials.
 */
public final class S3MockServer implements AutoCloseable {

    private final LocalJavaServer server;
    private final S3Client client;

    private S3MockServer(LocalJavaServer server) {
        this.server = server;
        this.client = S3ProxyServer.clientFor(endpoint(), "any", "any")
                .addPlugin(LegacyMd5Plugin.create()) // lifecycle calls need Content-MD5
                .build();
    }

    public static S3MockServer start() throws IOException {
        int http = LocalJavaServer.freePort();
        int https = LocalJavaServer.freePort();
        Path root = Files.createTempDirectory("s3mock-");
        return new S3MockServer(LocalJavaServer.start("s3mock", "com.adobe.testing.s3mock.S3MockApplication", List.of(
                "--http.port=" + http,
                "--com.adobe.testing.s3mock.httpPort=" + http,
                "--server.port=" + https,
                "--com.adobe.testing.s3mock.store.root=" + root,
                "--logging.level.root=WARN",
                "--spring.main.banner-mode=off"), http, Duration.ofSeconds(120)));
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    public String createBucket(String name) {
        client.createBucket(b -> b.bucket(name));
        return name;
    }

    public S3Client client() {
        return client;
    }

    public Map<String, String> env() {
        return Map.of("AWS_ACCESS_KEY_ID", "any", "AWS_SECRET_ACCESS_KEY", "any",
                "AWS_REGION", S3ProxyServer.REGION, "AWS_EC2_METADATA_DISABLED", "true");
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
