package dev.runbook.executors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The request both actions send: method, URL, headers and optional JSON body, read from the
 * step's parameters. It also knows which strings are secret (a secret URL, secret or
 * credential-like header values) so every message built from a response can be scrubbed.
 *
 * @param label   "METHOD masked-url", safe to log
 * @param secrets values that must never be shown (longest first, for {@link #redact})
 */
record RequestSpec(String method, URI uri, String label, Map<String, String> headers, String body,
                   List<String> secrets) {

    /** Header names whose values are credentials even when not passed as a secret. */
    private static final Set<String> CREDENTIAL_HEADERS = Set.of(
            "authorization", "proxy-authorization", "cookie", "x-api-key", "api-key", "x-auth-token", "private-token");

    private static final ObjectMapper JSON = new ObjectMapper();

    static final ParamSpec URL = ParamSpec.required("url", ParamType.STRING,
            "http:// or https:// URL; may be a secret (a webhook token in the path)").asSensitive();
    static final ParamSpec HEADERS = ParamSpec.optional("headers", ParamType.MAP, null,
            "request headers; values may be secrets (Authorization)").asSensitive()
            .ofValues(ParamSpec.element(ParamType.STRING, "the header's value"));
    static final ParamSpec BODY = ParamSpec.optional("body", ParamType.ANY, null,
            "request body: a mapping is sent as JSON, a string as is (Content-Type application/json unless a header says otherwise)");

    static ParamSpec method(String defaultMethod) {
        return ParamSpec.optional("method", ParamType.STRING, defaultMethod, "HTTP method")
                .oneOf("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    }

    /** Reads the parameters; registers secret values with the engine so it masks them too. */
    static RequestSpec from(Params params, String defaultMethod, StepContext context) throws StepFailure {
        String method = params.string("method", defaultMethod).toUpperCase(Locale.ROOT);
        Params.Sensitive url = params.sensitive("url");
        if (url == null || url.value().isBlank()) {
            throw new StepFailure("http-check: parameter 'url' is empty", false, null);
        }
        List<String> secrets = new ArrayList<>();
        if (url.secret()) {
            secrets.add(url.value());
            secrets.addAll(tokenParts(url.value()));
        }
        String label = method + " " + Urls.mask(url.value(), url.secret());
        URI uri = parseUri(url.value(), label);

        Map<String, String> headers = new LinkedHashMap<>();
        for (Map.Entry<String, Object> h : params.map("headers").entrySet()) {
            Object raw = h.getValue();
            String value = raw instanceof Secret s ? s.reveal() : String.valueOf(raw);
            if (raw instanceof Secret || CREDENTIAL_HEADERS.contains(h.getKey().toLowerCase(Locale.ROOT))) {
                secrets.add(value);
            }
            headers.put(h.getKey(), value);
        }
        secrets.removeIf(String::isEmpty);
        secrets.sort((a, b) -> b.length() - a.length());
        secrets.forEach(context::addSecret);
        return new RequestSpec(method, uri, label, Map.copyOf(headers), jsonBody(params.raw("body")), List.copyOf(secrets));
    }

    /** The URL as the plan shows it (pure: no I/O); run-time values show as their expression. */
    static String displayUrl(Params params) {
        Object raw = params.raw("url");
        if (raw instanceof Secret s) {
            return Urls.mask(s.reveal(), true);
        }
        if (raw instanceof String s) {
            return Urls.mask(s, false);
        }
        return params.display("url");
    }

    static String displayMethod(Params params, String defaultMethod) {
        return params.isDeferred("method") ? params.display("method")
                : params.string("method", defaultMethod).toUpperCase(Locale.ROOT);
    }

    HttpRequest toRequest(Duration timeout) throws StepFailure {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(timeout);
        boolean hasContentType = false;
        for (Map.Entry<String, String> h : headers.entrySet()) {
            try {
                builder.header(h.getKey(), h.getValue());
            } catch (IllegalArgumentException e) {
                // The JDK's message may quote the value; name only the header.
                throw new StepFailure(label + ": header '" + h.getKey()
                        + "' cannot be sent (restricted name such as Host/Content-Length, or a line break in its value)", false, null);
            }
            hasContentType |= h.getKey().equalsIgnoreCase("Content-Type");
        }
        if (body == null) {
            builder.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            if (!hasContentType) {
                builder.header("Content-Type", "application/json");
            }
            builder.method(method, HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        }
        return builder.build();
    }

    /** Replaces every secret value in text from outside (a response body, an exception message). */
    String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        for (String secret : secrets) {
            out = out.replace(secret, Secret.MASK);
        }
        return out;
    }

    /**
     * The parts of a secret URL that are likely its token (user-info, long path segments, query
     * values), so that a server echoing "no such hook T0K3N" in its error body is masked too.
     */
    private static List<String> tokenParts(String url) {
        List<String> parts = new ArrayList<>();
        try {
            URI uri = new URI(url.trim());
            if (uri.getRawUserInfo() != null) {
                parts.add(uri.getRawUserInfo());
            }
            for (String segment : (uri.getRawPath() == null ? "" : uri.getRawPath()).split("/")) {
                parts.add(segment);
            }
            for (String pair : (uri.getRawQuery() == null ? "" : uri.getRawQuery()).split("&")) {
                parts.add(pair.substring(pair.indexOf('=') + 1));
            }
        } catch (java.net.URISyntaxException e) {
            return List.of(); // rejected later with its own message
        }
        // Short segments ("api", "v1", "hooks") are words, not tokens: masking them would only garble messages.
        parts.removeIf(p -> p.length() < 9);
        return parts;
    }

    private static URI parseUri(String url, String label) throws StepFailure {
        try {
            URI uri = new URI(url.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
                throw new StepFailure(label + ": not an http:// or https:// URL with a host", false, null);
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            // e.getMessage() quotes the whole URL, which may be secret: say only where it broke.
            throw new StepFailure(label + ": not a valid URL (" + e.getReason() + " at index " + e.getIndex()
                    + "); percent-encode spaces and special characters", false, null);
        }
    }

    private static String jsonBody(Object raw) throws StepFailure {
        if (raw == null) {
            return null;
        }
        if (raw instanceof String s) {
            return s;
        }
        try {
            return JSON.writeValueAsString(raw);
        } catch (JsonProcessingException e) {
            throw new StepFailure("http-check: 'body' cannot be written as JSON: " + e.getOriginalMessage(), false, null);
        }
    }
}
