package dev.runbook.storage.s3;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.multipart.MultipartConfiguration;

import java.time.Duration;
import java.util.Map;

/**
 * Builds the SDK clients for one store. Two clients, on purpose:
 * <ul>
 *   <li>a plain synchronous client for reads, heads, lists, lifecycle and restore calls
 *       (some S3-compatible servers, e.g. S3Proxy, reject downloads made through the SDK's
 *       multipart client);</li>
 *   <li>a multipart-enabled asynchronous client for streaming uploads of unknown length.</li>
 * </ul>
 * Since SDK 2.30 the SDK sends CRC checksums on every request by default, which many
 * S3-compatible servers reject: both clients compute and validate checksums only when the
 * operation requires one, and {@link LegacyMd5Plugin} restores Content-MD5 for the operations
 * that need it (DeleteObjects, PutBucketLifecycleConfiguration).
 */
final class S3Clients {

    /** Room beyond two parts in the multipart client's buffer; see {@link #multipartUploads}. */
    static final long BUFFER_SLACK = 8L * 1024 * 1024;

    private S3Clients() {
    }

    // The SDK deprecates its Apache 4 client in favour of apache5-client; moving is its own change,
    // to be tested against S3Proxy and S3Mock first, not a side effect of a lint setting.
    @SuppressWarnings("deprecation")
    static S3Client sync(S3Options o, Map<String, String> env) {
        var builder = S3Client.builder()
                .httpClientBuilder(ApacheHttpClient.builder()
                        .connectionTimeout(Duration.ofSeconds(10))
                        .socketTimeout(Duration.ofMinutes(2)))
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
     * Event loops of one upload's client, owned by the upload so that an abort can stop all of
     * its I/O at once (see S3Upload#abort). Netty 4.2 deprecates this class in favour of
     * MultiThreadIoEventLoopGroup, which the SDK's Netty client does not recognise yet.
     */
    @SuppressWarnings("deprecation")
    static EventLoopGroup uploadEventLoops() {
        return new NioEventLoopGroup(2);
    }

    static S3AsyncClient multipartUploads(S3Options o, Map<String, String> env, long partSize, EventLoopGroup eventLoops) {
        var builder = S3AsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        // the upload owns its event loops, so an abort can stop all of its I/O at once
                        .eventLoopGroup(SdkEventLoopGroup.create(eventLoops))
                        .connectionTimeout(Duration.ofSeconds(10))
                        .readTimeout(Duration.ofMinutes(2))
                        .writeTimeout(Duration.ofMinutes(2)))
                .region(Region.of(o.region()))
                .credentialsProvider(credentials(env))
                .forcePathStyle(o.pathStyle())
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create())
                .multipartEnabled(true)
                // Memory stays bounded at about two parts. For a body of unknown length the SDK holds
                // the whole first part and must fill the whole second one before it sends anything
                // (one part: PutObject; two: multipart), and it stops reading once the next write
                // might overflow the buffer. With exactly 2 parts of buffer the second part could
                // end up a few KiB short and the upload waited forever before its first request
                // (seen with 1 GiB dumps; aws-sdk-java-v2 PR 7024). The slack is far above the
                // largest write (256 KiB, see S3Upload).
                .multipartConfiguration(MultipartConfiguration.builder()
                        .thresholdInBytes(partSize)
                        .minimumPartSizeInBytes(partSize)
                        .apiCallBufferSizeInBytes(2 * partSize + BUFFER_SLACK)
                        .build());
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
