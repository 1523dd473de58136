package dev.runbook.executors.http;

import dev.runbook.testsupport.LocalHttpServer;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both actions against a real HTTPS server with a self-signed certificate made by keytool. */
class TlsTest {

    @TempDir
    static Path dir;
    private static TestCertificate cert;
    private static LocalHttpServer server;

    private final RecordingStepContext ctx = new RecordingStepContext();

    @BeforeAll
    static void start() throws Exception {
        cert = TestCertificate.generate(dir);
        server = LocalHttpServer.https(cert.serverContext(), n -> LocalHttpServer.Reply.of(200, "{\"status\":\"ok\"}"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void untrustedCertificateFailsWithAHint() {
        int before = server.requests();
        StepFailure failure = assertThrows(StepFailure.class, () -> new CheckAction().execute(Params.of(Map.of(
                "url", server.url("/health"), "within", "2s", "interval", "100ms")), ctx));

        assertTrue(failure.getMessage().contains("last: TLS handshake failed ("), failure.getMessage());
        assertTrue(failure.getMessage().contains("set ca-file"), failure.getMessage());
        assertEquals(before, server.requests(), "no request got through an unverified connection");
    }

    @Test
    void caFileMakesTheServerTrusted() throws Exception {
        int before = server.requests();
        Outputs out = new CheckAction().execute(Params.of(Map.of(
                "url", server.url("/health"), "ca-file", cert.pem().toString(), "within", "2s")), ctx);

        assertEquals(200L, out.asMap().get("status"));
        assertEquals(before + 1, server.requests());
        assertFalse(ctx.transcript().contains("verification is OFF"));
    }

    @Test
    void caFileResolvesAgainstTheRunbookDirectory() throws Exception {
        ctx.runbookDir(dir);
        Outputs out = new RequestAction().execute(Params.of(Map.of(
                "url", server.url("/hook"), "ca-file", "server.pem", "body", Map.of("text", "done"))), ctx);

        assertEquals(200L, out.asMap().get("status"));
    }

    @Test
    void caFileStillChecksTheHostName() throws Exception {
        // Trusted via ca-file, but issued for "localhost" only while the URL names 127.0.0.1.
        TestCertificate other = TestCertificate.generate(dir, "localhost-only", "dns:localhost");
        try (LocalHttpServer named = LocalHttpServer.https(other.serverContext(), n -> LocalHttpServer.Reply.of(200, ""))) {
            StepFailure failure = assertThrows(StepFailure.class, () -> new RequestAction().execute(Params.of(Map.of(
                    "url", named.url("/health"), "ca-file", other.pem().toString(), "timeout", "2s")), ctx));

            assertTrue(failure.getMessage().contains("TLS handshake failed"), failure.getMessage());
            assertEquals(0, named.requests());
            // ... while skip-verify, asked for by name, accepts the same server.
            Outputs out = new RequestAction().execute(Params.of(Map.of(
                    "url", named.url("/health"), "insecure-skip-tls-verify", true)), ctx);
            assertEquals(200L, out.asMap().get("status"));
        }
    }

    @Test
    void insecureSkipTlsVerifyAcceptsTheSelfSignedCertificateAndWarns() throws Exception {
        Outputs out = new CheckAction().execute(Params.of(Map.of(
                "url", server.url("/health"), "insecure-skip-tls-verify", true, "within", "2s")), ctx);

        assertEquals(200L, out.asMap().get("status"));
        assertTrue(ctx.transcript().contains("warn: TLS certificate verification is OFF"), ctx.transcript());
    }

    @Test
    void unreadableCaFileIsNamed() throws Exception {
        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate");
        StepFailure failure = assertThrows(StepFailure.class, () -> new CheckAction().execute(Params.of(Map.of(
                "url", server.url("/health"), "ca-file", junk.toString())), ctx));

        assertTrue(failure.getMessage().contains("ca-file " + junk), failure.getMessage());
        assertFalse(failure.retryable());
    }
}
