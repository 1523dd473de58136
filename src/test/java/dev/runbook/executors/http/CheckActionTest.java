package dev.runbook.executors.http;

import dev.runbook.testsupport.LocalHttpServer;

import dev.runbook.spi.Deferred;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckActionTest {

    private final CheckAction action = new CheckAction();
    private final RecordingStepContext ctx = new RecordingStepContext();
    private LocalHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String serve(IntFunction<LocalHttpServer.Reply> responder) throws IOException {
        server = LocalHttpServer.http(responder);
        return server.url("/health");
    }

    private static Map<String, Object> params(String url, Object... more) {
        Map<String, Object> p = new HashMap<>(Map.of("url", url, "within", "2s", "interval", "100ms"));
        for (int i = 0; i < more.length; i += 2) {
            p.put((String) more[i], more[i + 1]);
        }
        return p;
    }

    @Test
    void healthyOnFirstRequestGivesStatusBodyAndAttempts() throws Exception {
        String url = serve(n -> LocalHttpServer.Reply.of(200, "{\"status\":\"ok\"}"));

        Outputs out = action.execute(Params.of(params(url)), ctx);

        assertEquals(200L, out.asMap().get("status"));
        assertEquals(1L, out.asMap().get("attempts"));
        assertEquals("{\"status\":\"ok\"}", out.asMap().get("body"));
        assertTrue((Long) out.asMap().get("latency-ms") >= 0);
        assertEquals("GET", server.received.get(0).method());
        assertTrue(ctx.transcript().contains("GET " + url + " answered 200 after 1 attempt(s)"), ctx.transcript());
    }

    @Test
    void bodyOutputIsCutAt64KiB() throws Exception {
        String big = "x".repeat(200_000);
        String url = serve(n -> LocalHttpServer.Reply.of(200, big));

        Outputs out = action.execute(Params.of(params(url)), ctx);

        assertEquals(64 * 1024, ((String) out.asMap().get("body")).length());
    }

    @Test
    void statusListAcceptsAnyListedCode() throws Exception {
        String url = serve(n -> LocalHttpServer.Reply.of(n == 1 ? 500 : 204, ""));

        Outputs out = action.execute(Params.of(params(url, "expect", Map.of("status", List.of(200, 204)))), ctx);

        assertEquals(204L, out.asMap().get("status"));
        assertEquals(2L, out.asMap().get("attempts"));
        assertTrue(ctx.transcript().contains("attempt 1: GET " + url + " answered 500, expected 200 or 204"), ctx.transcript());
    }

    @Test
    void unexpectedStatusIsNotHealthy() throws IOException {
        String url = serve(n -> LocalHttpServer.Reply.of(204, ""));

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(Params.of(params(url, "within", "1s")), ctx));

        assertTrue(failure.getMessage().contains("last: answered 204, expected 200"), failure.getMessage());
    }

    @Test
    void bodyContainsMustMatch() throws Exception {
        String url = serve(n -> LocalHttpServer.Reply.of(200, n < 3 ? "warming up" : "all systems ready"));

        Outputs out = action.execute(Params.of(params(url, "expect", Map.of("body-contains", "ready"))), ctx);

        assertEquals(3L, out.asMap().get("attempts"));
        assertTrue(ctx.transcript().contains("answered 200 but the body does not contain \"ready\": warming up"), ctx.transcript());
    }

    @Test
    void jsonFieldsByDottedPathAndPointer() throws Exception {
        String url = serve(n -> LocalHttpServer.Reply.of(200, n == 1
                ? "{\"status\":\"ok\",\"checks\":{\"db\":\"down\"},\"replicas\":3}"
                : "{\"status\":\"ok\",\"checks\":{\"db\":\"up\"},\"replicas\":3}"));

        Outputs out = action.execute(Params.of(params(url, "expect",
                Map.of("json", Map.of("status", "ok", "/checks/db", "up", "replicas", 3L)))), ctx);

        assertEquals(2L, out.asMap().get("attempts"));
        assertTrue(ctx.transcript().contains("JSON /checks/db is \"down\", expected up"), ctx.transcript());
    }

    @Test
    void nonJsonBodyFailsJsonExpectation() throws IOException {
        String url = serve(n -> LocalHttpServer.Reply.of(200, "<html>login</html>"));

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(params(url, "within", "1s", "expect", Map.of("json", Map.of("status", "ok")))), ctx));

        assertTrue(failure.getMessage().contains("the body is not JSON"), failure.getMessage());
    }

    @Test
    void becomesHealthyAfterSomeUnavailableAnswers() throws Exception {
        String url = serve(n -> n <= 3 ? LocalHttpServer.Reply.of(503, "{\"status\":\"starting\"}")
                : LocalHttpServer.Reply.of(200, "{\"status\":\"ok\"}"));

        Outputs out = action.execute(Params.of(params(url)), ctx);

        assertEquals(4L, out.asMap().get("attempts"));
        assertEquals(4, server.requests());
        assertEquals(3, ctx.lines.stream().filter(l -> l.contains("answered 503, expected 200: {\"status\":\"starting\"}")).count(),
                ctx.transcript());
    }

    @Test
    void neverHealthyFailsAfterTheWindowWithTheLastAnswer() throws IOException {
        String url = serve(n -> LocalHttpServer.Reply.of(503, "{\"status\":\"starting\"}"));

        long started = System.nanoTime();
        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(params(url, "within", "1s", "interval", "200ms")), ctx));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);

        String msg = failure.getMessage();
        assertTrue(msg.startsWith("GET " + url + " did not answer 200 within 1s ("), msg);
        assertTrue(msg.contains("last: answered 503, expected 200: {\"status\":\"starting\"}"), msg);
        assertTrue(elapsed.toMillis() >= 950, "gave up early: " + elapsed);
        assertTrue(elapsed.toMillis() < 2_500, "window not respected: " + elapsed); // slack for a loaded CI machine
        assertTrue(server.requests() >= 3 && server.requests() <= 7, "attempts every 200ms: " + server.requests());
        assertTrue(msg.contains("(" + server.requests() + " attempt(s) over"), msg);
        assertTrue(failure.retryable());
    }

    @Test
    void connectionRefusedIsNamed() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String url = "http://127.0.0.1:" + port + "/health";

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(params(url, "within", "500ms")), ctx));

        assertTrue(failure.getMessage().contains("did not answer 200 within 500ms"), failure.getMessage());
        assertTrue(failure.getMessage().contains("last: connection refused)"), failure.getMessage());
        assertTrue(ctx.transcript().contains("attempt 1: GET " + url + " connection refused"), ctx.transcript());
    }

    @Test
    void slowServerHitsTheRequestTimeout() throws IOException {
        String url = serve(n -> new LocalHttpServer.Reply(200, "late", 5_000));

        long started = System.nanoTime();
        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(params(url, "within", "1s", "request-timeout", "300ms")), ctx));

        assertTrue(failure.getMessage().contains("last: no answer within 300ms"), failure.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 3_000);
    }

    @Test
    void cancellationDuringAHangingRequestStopsPromptly() throws Exception {
        String url = serve(n -> new LocalHttpServer.Reply(200, "late", 10_000));
        CompletableFuture.runAsync(ctx::cancel, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS));

        long started = System.nanoTime();
        InterruptedException e = assertThrows(InterruptedException.class, () -> action.execute(
                Params.of(params(url, "within", "30s")), ctx));

        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 2_000, "cancel not prompt");
        assertTrue(e.getMessage().contains("cancelled after 1 attempt(s)"), e.getMessage());
    }

    @Test
    void interruptDuringThePauseStopsPromptly() throws Exception {
        String url = serve(n -> LocalHttpServer.Reply.of(503, ""));
        ExecutorService runner = Executors.newSingleThreadExecutor();
        try {
            Future<Outputs> run = runner.submit(() -> action.execute(
                    Params.of(params(url, "within", "30s", "interval", "10s")), ctx));
            while (server.requests() == 0) {
                Thread.sleep(10);
            }
            long started = System.nanoTime();
            run.cancel(true); // interrupts the step's thread while it waits for the next attempt
            runner.shutdown();
            assertTrue(runner.awaitTermination(2, TimeUnit.SECONDS), "step ignored the interrupt");
            assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 2_000, "cancel not prompt");
            assertEquals(1, server.requests());
        } finally {
            runner.shutdownNow();
        }
    }

    @Test
    void secretHeaderReachesTheServerButNoTranscriptOrMessage() throws IOException {
        // The server echoes the header back, as a misbehaving debug endpoint might.
        String token = "Bearer s3cr3t-t0ken-value";
        server = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(401, "bad credentials: " + token));
        String url = server.url("/health");

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(Params.of(params(url,
                "within", "1s", "headers", Map.of("Authorization", new Secret(token), "X-Trace", "abc"))), ctx));

        assertEquals(token, server.received.get(0).header("Authorization"));
        assertEquals("abc", server.received.get(0).header("X-Trace"));
        assertFalse(ctx.transcript().contains("s3cr3t"), ctx.transcript());
        assertFalse(failure.getMessage().contains("s3cr3t"), failure.getMessage());
        assertTrue(failure.getMessage().contains("bad credentials: ***"), failure.getMessage());
        assertTrue(ctx.secrets.contains(token), "registered with the engine for masking");
    }

    @Test
    void secretUrlIsMaskedInLogsAndFailure() throws IOException {
        String url = serve(n -> LocalHttpServer.Reply.of(503, ""));
        String secretUrl = url.replace("/health", "/health/tok-9f8e7d");
        ctx.lines.clear();

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(params(url, "url", new Secret(secretUrl), "within", "1s")), ctx));

        assertEquals("/health/tok-9f8e7d", server.received.get(0).path());
        assertFalse(failure.getMessage().contains("tok-9f8e7d"), failure.getMessage());
        assertFalse(ctx.transcript().contains("tok-9f8e7d"), ctx.transcript());
        assertTrue(failure.getMessage().startsWith("GET http://127.0.0.1:"), failure.getMessage());
        assertTrue(failure.getMessage().contains("/*** did not answer 200"), failure.getMessage());
    }

    @Test
    void describeShowsWhatItWaitsFor() {
        assertEquals("GET http://localhost:8000/health until it answers 200 (up to 60s, every 2s)",
                action.describe(Params.of(Map.of("url", "http://localhost:8000/health"))));
        assertEquals("GET http://localhost:8000/health until it answers 200 or 204 with status=ok containing \"ready\" (up to 5m, every 500ms)",
                action.describe(Params.of(Map.of("url", "http://localhost:8000/health", "within", "5m", "interval", "500ms",
                        "expect", Map.of("status", List.of(200, 204), "json", Map.of("status", "ok"), "body-contains", "ready")))));
        assertEquals("GET https://api.example.com/*** until it answers 200 (up to 60s, every 2s)",
                action.describe(Params.of(Map.of("url", new Secret("https://api.example.com/health?token=abc")))));
        assertEquals("GET ⟨from steps.deploy.outputs.url⟩ until it answers 200 (up to 60s, every 2s)",
                action.describe(Params.of(Map.of("url", new Deferred("steps.deploy.outputs.url")))));
    }

    @Test
    void probeLooksOnceWithoutWaiting() throws Exception {
        String url = serve(n -> LocalHttpServer.Reply.of(503, ""));

        assertEquals(java.util.Optional.of("answered 503, expected 200"), action.probe(Params.of(params(url)), ctx));
        assertEquals(1, server.requests());
        assertEquals(java.util.Optional.empty(), action.probe(Params.of(params(url, "method", "POST")), ctx));
        assertEquals(1, server.requests(), "a POST is not read-only: no probe");
    }

    @Test
    void badExpectedStatusIsRejectedClearly() throws IOException {
        String url = serve(n -> LocalHttpServer.Reply.of(200, ""));

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(params(url, "expect", Map.of("status", "ok"))), ctx));

        assertTrue(failure.getMessage().contains("expect.status must be a status code like 200"), failure.getMessage());
        assertFalse(failure.retryable());
        assertEquals(0, server.requests());
    }
}
