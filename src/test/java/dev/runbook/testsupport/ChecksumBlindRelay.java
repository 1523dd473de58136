package dev.runbook.testsupport;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;

/**
 * An HTTP relay in front of a real S3 server that drops every {@code x-amz-checksum-*} header
 * both ways, so the pair behaves like an S3-compatible server without checksum support. No such
 * server runs here (S3Proxy 4.1 and S3Mock 4.12 both check part checksums), so this is the
 * nearest real thing for the upload's fallback; the server behind it must not check request
 * signatures ({@link S3ProxyServer#startWithoutAuthorization()}), since headers are removed.
 */
public final class ChecksumBlindRelay implements AutoCloseable {

    private static final Set<String> HOP = Set.of("host", "connection", "content-length", "expect", "upgrade",
            "transfer-encoding", "date");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String target;

    private ChecksumBlindRelay(URI target) throws IOException {
        this.target = target.toString().replaceAll("/$", "");
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "checksum-blind-relay");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::relay);
        server.start();
    }

    public static ChecksumBlindRelay start(URI target) throws IOException {
        return new ChecksumBlindRelay(target);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static boolean dropped(String header) {
        String h = header.toLowerCase(Locale.ROOT);
        return HOP.contains(h) || h.startsWith("x-amz-checksum") || h.equals("x-amz-sdk-checksum-algorithm");
    }

    private void relay(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI().toString()))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            ex.getRequestHeaders().forEach((name, values) -> {
                if (!dropped(name)) {
                    values.forEach(v -> req.header(name, v));
                }
            });
            HttpResponse<byte[]> r = client.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
            for (Map.Entry<String, List<String>> h : r.headers().map().entrySet()) {
                if (!dropped(h.getKey()) && !h.getKey().startsWith(":")) {
                    ex.getResponseHeaders().put(h.getKey(), h.getValue());
                }
            }
            if (ex.getRequestMethod().equals("HEAD")) {
                r.headers().firstValue("content-length").ifPresent(v -> ex.getResponseHeaders().set("Content-Length", v));
                ex.sendResponseHeaders(r.statusCode(), -1);
                return;
            }
            ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
