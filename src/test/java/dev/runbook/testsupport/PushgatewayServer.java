package dev.runbook.testsupport;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real Prometheus Pushgateway (Debian's {@code prometheus-pushgateway}) on a free port, stopped by {@link #close()}. */
public final class PushgatewayServer implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/bin/prometheus-pushgateway");

    private final Process process;
    private final int port;

    private PushgatewayServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts it listening on {@code bindHost} (127.0.0.1, or 0.0.0.0 for pods) and waits until it is ready. */
    public static PushgatewayServer start(String bindHost) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("needs Debian's prometheus-pushgateway (scripts/setup-services.sh installs it)");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // Debian's build persists to /var/lib/prometheus/pushgateway.data by default: every instance
        // would start with the series of earlier runs (seen: another test's pushes). Memory only.
        Process p = new ProcessBuilder(BINARY.toString(), "--web.listen-address=" + bindHost + ":" + port, "--persistence.file=")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        PushgatewayServer server = new PushgatewayServer(p, port);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                if (server.get("/-/ready").statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                server.close();
                throw new IllegalStateException("the pushgateway did not start on " + bindHost + ":" + port);
            }
            Thread.sleep(200);
        }
    }

    public int port() {
        return port;
    }

    /** Its URL as seen from this host. */
    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Every sample of the metric it serves: its label set, exactly as served, and value. */
    public Map<String, Double> scrape(String metric) throws IOException, InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("(?m)^" + metric + "(\\{[^}]*})\\s+(\\S+)$").matcher(get("/metrics").body());
        while (m.find()) {
            out.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return out;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
