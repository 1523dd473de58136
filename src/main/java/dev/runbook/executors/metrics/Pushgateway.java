package dev.runbook.executors.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Pushes samples to a Prometheus Pushgateway under {@code /metrics/job/<job>/instance/<database>}.
 * POST, not PUT: POST replaces only the metrics it names, so a failed run's push keeps the
 * group's last success time (PUT would replace the whole group and lose it).
 */
final class Pushgateway {

    private Pushgateway() {
    }

    static URI groupUri(String base, String job, String database) {
        String root = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        return URI.create(root + "/metrics/job/" + segment(job) + "/instance/" + segment(database));
    }

    /** @return the HTTP status; 200 and 202 are success */
    static int push(URI group, List<Sample> samples, Duration timeout) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        samples.forEach(s -> body.append(s.render()));
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(group)
                .timeout(timeout)
                .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8))
                .build();
        return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static String segment(String value) {
        // the Pushgateway's path segments: URL-escaped; an empty value is not allowed there
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
