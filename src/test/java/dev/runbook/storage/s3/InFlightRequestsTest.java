package dev.runbook.storage.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The count of running SDK calls that an aborted upload waits on, seen through the real
 * multipart client against a real socket that accepts a request and never answers it.
 */
class InFlightRequestsTest {

    @Test
    void aCallIsRunningUntilItEndsAndAwaitNoneWaitsForIt() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Map<String, String> env = Map.of("AWS_ACCESS_KEY_ID", "id", "AWS_SECRET_ACCESS_KEY", "secret");
            S3Options options = S3Options.from(Map.of("endpoint", "http://127.0.0.1:" + server.getLocalPort(),
                    "path-style", "true"), env);
            InFlightRequests inFlight = new InFlightRequests();
            try (S3AsyncClient client = S3Clients.multipartUploads(options, env, 5L * 1024 * 1024, inFlight)) {
                CompletableFuture<?> call = client.headBucket(b -> b.bucket("b"));
                Socket accepted = server.accept(); // the request arrived; it gets no answer yet

                assertEquals(1, inFlight.running());
                assertFalse(inFlight.awaitNone(Duration.ofMillis(200)), "a call still running was not waited for");

                accepted.close(); // the endpoint goes away: the call fails after its retries
                server.close();
                assertThrows(Exception.class, () -> call.get(60, TimeUnit.SECONDS));
                assertTrue(inFlight.awaitNone(Duration.ofSeconds(10)), "the failed call was still counted");
                assertEquals(0, inFlight.running());
            }
        }
    }
}
