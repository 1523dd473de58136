package dev.runbook.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A real HTTP(S) server on 127.0.0.1 (the JDK's com.sun.net.httpserver) that records every
 * request it receives and answers with whatever the test's responder says for the n-th
 * request (1-based).
 */
public final class LocalHttpServer implements AutoCloseable {

    public record Reply(int status, String body, long delayMs) {
        public static Reply of(int status, String body) {
            return new Reply(status, body, 0);
        }
    }

    public record Received(String method, String path, Map<String, List<String>> headers, String body) {
        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    public final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final AtomicInteger count = new AtomicInteger();
    private final String scheme;

    private LocalHttpServer(HttpServer server, String scheme, IntFunction<Reply> responder) {
        this.server = server;
        this.scheme = scheme;
        server.createContext("/", exchange -> handle(exchange, responder));
        server.setExecutor(threads);
        server.start();
    }

    public static LocalHttpServer http(IntFunction<Reply> responder) throws IOException {
        return new LocalHttpServer(HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0), "http", responder);
    }

    public static LocalHttpServer https(SSLContext ssl, IntFunction<Reply> responder) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ssl));
        return new LocalHttpServer(server, "https", responder);
    }

    public String url(String path) {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    public int requests() {
        return count.get();
    }

    private void handle(HttpExchange exchange, IntFunction<Reply> responder) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body));
            Reply reply = responder.apply(count.incrementAndGet());
            if (reply.delayMs() > 0) {
                Thread.sleep(reply.delayMs());
            }
            byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // server shutting down
        }
    }

    @Override
    public void close() {
        threads.shutdownNow(); // wakes handlers that are still sleeping in a "hanging" reply
        server.stop(0);
    }
}
