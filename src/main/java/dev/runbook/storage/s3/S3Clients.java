package dev.runbook.storage.s3;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3Client;

import java.time.Duration;
import java.util.Map;

/**
 * Builds the SDK client for one store: a plain synchronous client (some S3-compatible servers,
 * e.g. S3Proxy, reject downloads made through the SDK's multipart client, and uploads cut their
 * own parts, see {@link S3Upload}). Since SDK 2.30 the SDK sends CRC checksums on every request by default, which many
 * S3-compatible servers reject: both clients compute and validate checksums only when the
 * operation requires one, and {@link LegacyMd5Plugin} restores Content-MD5 for the operations
 * that need it (DeleteObjects, PutBucketLifecycleConfiguration).
 */
final class S3Clients {

    private S3Clients() {
    }

    // The SDK deprecates its Apache 4 client in favour of apache5-client; moving is its own change,
    // to be tested against S3Proxy and S3Mock first, not a side effect of a lint setting.
    @SuppressWarnings("deprecation")
    static S3Client sync(S3Options o, Map<String, String> env) {
        var builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2))
                        .maxConnections(64)) // parts in flight (at most 64) plus reads
                .region(Region.of(o.region()))
                .credentialsProvider(credentials(env))
                .forcePathStyle(o.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create());
        if (o.endpoint() != null) {
            builder.endpointOverride(o.endpoint());
        }
        return builder.build();
    }

    /**
     * The run's environment first (it may differ from this process's, e.g. in tests or when
     * the engine scrubs variables), then the SDK's default chain (profiles, SSO, web identity,
     * container and instance roles).
     */
    static AwsCredentialsProvider credentials(Map<String, String> env) {
        String id = env.get("AWS_ACCESS_KEY_ID");
        String secret = env.get("AWS_SECRET_ACCESS_KEY");
        if (id != null && !id.isBlank() && secret != null && !secret.isBlank()) {
            String token = env.get("AWS_SESSION_TOKEN");
            return StaticCredentialsProvider.create(token == null || token.isBlank()
                    ? AwsBasicCredentials.create(id, secret)
                    : AwsSessionCredentials.create(id, secret, token));
        }
        String profile = env.get("AWS_PROFILE");
        if (profile != null && !profile.isBlank()) {
            return ProfileCredentialsProvider.create(profile);
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
