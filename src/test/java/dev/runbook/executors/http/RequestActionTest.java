package dev.runbook.executors.http;

import dev.runbook.testsupport.LocalHttpServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestActionTest {

    private final RequestAction action = new RequestAction();
    private final RecordingStepContext ctx = new RecordingStepContext();
    private LocalHttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void postsAJsonBodyTheServerCanParse() throws Exception {
        server = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(200, "{\"ok\":true}"));

        Outputs out = action.execute(Params.of(Map.of("url", server.url("/hooks/notify"),
                "body", Map.of("text", "restore of app finished", "rows", 1234L, "tags", List.of("dr", "postgres")))), ctx);

        LocalHttpServer.Received got = server.received.get(0);
        assertEquals("POST", got.method());
        assertEquals("/hooks/notify", got.path());
        assertEquals("application/json", got.header("Content-Type"));
        JsonNode json = new ObjectMapper().readTree(got.body());
        assertEquals("restore of app finished", json.get("text").asText());
        assertEquals(1234, json.get("rows").asInt());
        assertEquals("postgres", json.get("tags").get(1).asText());
        assertEquals(200L, out.asMap().get("status"));
        assertEquals("{\"ok\":true}", out.asMap().get("body"));
    }

    @Test
    void stringBodyIsSentAsIsWithTheGivenMethodAndContentType() throws Exception {
        server = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(202, ""));

        Outputs out = action.execute(Params.of(Map.of("url", server.url("/ping"), "method", "put",
                "body", "status=done", "headers", Map.of("Content-Type", "text/plain"))), ctx);

        assertEquals("PUT", server.received.get(0).method());
        assertEquals("status=done", server.received.get(0).body());
        assertEquals("text/plain", server.received.get(0).header("Content-Type"));
        assertEquals(202L, out.asMap().get("status"));
    }

    @Test
    void non2xxFailsWithStatusAndBody() throws Exception {
        server = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(400, "{\"error\":\"invalid_payload\"}"));

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(Map.of("url", server.url("/hook"), "body", Map.of("text", "hi"))), ctx));

        assertEquals("POST " + server.url("/hook") + " answered 400, expected 2xx: {\"error\":\"invalid_payload\"}"
                + ". Check the URL, credentials and message format", failure.getMessage());
        assertFalse(failure.retryable(), "a 400 will not get better by retrying");
    }

    @Test
    void serverErrorIsRetryable() throws Exception {
        server = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(503, ""));

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(Map.of("url", server.url("/hook"))), ctx));

        assertTrue(failure.retryable());
        assertTrue(failure.getMessage().endsWith("answered 503, expected 2xx"), failure.getMessage());
    }

    @Test
    void expectStatusNarrowsSuccess() throws Exception {
        server = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(200, ""));

        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(
                Params.of(Map.of("url", server.url("/hook"), "expect-status", List.of(201, 204))), ctx));

        assertTrue(failure.getMessage().contains("answered 200, expected 201 or 204"), failure.getMessage());
    }

    @Test
    void secretWebhookUrlAndHeaderStayHidden() throws Exception {
        server = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(404, "no such hook T0K3N-abc"));
        String secretUrl = server.url("/services/T0K3N-abc");
        Params params = Params.of(Map.of("url", new Secret(secretUrl),
                "headers", Map.of("X-Api-Key", new Secret("k3y-456")), "body", Map.of("text", "hello")));

        String described = action.describe(params);
        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(params, ctx));

        assertEquals("/services/T0K3N-abc", server.received.get(0).path());
        assertEquals("k3y-456", server.received.get(0).header("X-Api-Key"));
        assertEquals("POST a JSON message to http://127.0.0.1:" + secretUrl.split(":")[2].split("/")[0] + "/***", described);
        for (String text : List.of(described, failure.getMessage(), ctx.transcript())) {
            assertFalse(text.contains("T0K3N") || text.contains("k3y-456"), text);
        }
        assertTrue(failure.getMessage().contains("answered 404, expected 2xx: no such hook ***"), failure.getMessage());
    }

    @Test
    void describeWithoutBodyNamesTheMethod() {
        assertEquals("POST https://hc-ping.com/***", action.describe(Params.of(Map.of("url", new Secret("https://hc-ping.com/abc-uuid")))));
        assertEquals("GET https://hc-ping.com/abc?key=***", action.describe(Params.of(Map.of("url", "https://hc-ping.com/abc?key=zz", "method", "GET"))));
    }

    @Test
    void unreachableServerFailsWithTheReason() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        StepFailure failure = assertThrows(StepFailure.class, () -> action.execute(Params.of(Map.of(
                "url", "http://127.0.0.1:" + port + "/hook", "timeout", "2s")), ctx));

        assertEquals("POST http://127.0.0.1:" + port + "/hook failed: connection refused", failure.getMessage());
    }
}
