package dev.runbook.storage.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.SdkClientException;

import java.net.ConnectException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SDK's own words for an endpoint that is away or slow become plain words, with no Java text. */
class S3ErrorsTest {

    private static final S3Options OPTIONS = S3Options.from(Map.of("endpoint", "http://127.0.0.1:9"), Map.of());

    @Test
    void aPoolThatCannotConnectInTimeSaysTheEndpointDidNotAnswer() {
        // the exact text the SDK's Netty client gave in CI when the endpoint went away mid-upload
        SdkClientException e = SdkClientException.create("Unable to execute HTTP request: Acquire operation took"
                + " longer than the configured maximum time. This indicates that a request cannot get a connection"
                + " from the pool within the specified maximum time. This can be due to high request rate.",
                new Throwable("Acquire operation took longer than 10000 milliseconds."));
        String message = S3Errors.map(e, "upload", "s3://b/k", "k", OPTIONS).getMessage();
        assertTrue(message.contains("cannot upload s3://b/k: S3 endpoint http://127.0.0.1:9 did not answer in time"), message);
        assertFalse(message.contains("Acquire") || message.contains("pool"), message);
    }

    @Test
    void aRefusedConnectionSaysSoWithoutTheExceptionName() {
        SdkClientException e = SdkClientException.create("Unable to execute HTTP request: Connection refused",
                new ConnectException("Connection refused"));
        String message = S3Errors.map(e, "list", "s3://b/", "", OPTIONS).getMessage();
        assertTrue(message.contains("is unreachable (the connection was refused)"), message);
        assertFalse(message.contains("ConnectException"), message);
    }
}
