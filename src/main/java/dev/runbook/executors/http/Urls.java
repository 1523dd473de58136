package dev.runbook.executors.http;

import dev.runbook.spi.Secret;

import java.net.URI;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Renders URLs for people: never the secret part. */
final class Urls {

    /** Query parameters that commonly carry credentials; their values are masked even in a plain URL. */
    private static final Set<String> SECRET_QUERY_KEYS = Set.of(
            "token", "access_token", "api_key", "apikey", "key", "secret", "password", "pass",
            "sig", "signature", "auth", "code", "x-amz-signature", "x-amz-credential", "x-amz-security-token");

    private static final Pattern USERINFO = Pattern.compile("(?<=://)[^/@?#]*@");

    private Urls() {
    }

    /**
     * A URL that came from a secret shows only scheme, host and port ("https://hooks.example.com/***"),
     * because webhook URLs carry their token in the path. A plain URL is shown as given, except for
     * a password in its user-info and the values of credential-looking query parameters.
     */
    static String mask(String url, boolean secret) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return secret ? Secret.MASK : USERINFO.matcher(url).replaceFirst(Secret.MASK + "@");
        }
        if (uri.getScheme() == null || uri.getRawAuthority() == null) {
            return secret ? Secret.MASK : url;
        }
        String hostPort = uri.getHost() == null ? "" : uri.getHost() + (uri.getPort() >= 0 ? ":" + uri.getPort() : "");
        if (secret) {
            return uri.getScheme() + "://" + hostPort + "/" + Secret.MASK;
        }
        StringBuilder out = new StringBuilder(uri.getScheme()).append("://");
        if (uri.getRawUserInfo() != null) {
            String user = uri.getRawUserInfo();
            int colon = user.indexOf(':');
            out.append(colon >= 0 ? user.substring(0, colon) + ":" + Secret.MASK : user).append('@');
        }
        out.append(hostPort.isEmpty() ? uri.getRawAuthority() : hostPort);
        out.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        if (uri.getRawQuery() != null) {
            out.append('?').append(maskQuery(uri.getRawQuery()));
        }
        return out.toString();
    }

    private static String maskQuery(String query) {
        StringBuilder out = new StringBuilder();
        for (String pair : query.split("&", -1)) {
            if (out.length() > 0) {
                out.append('&');
            }
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (eq >= 0 && SECRET_QUERY_KEYS.contains(key.toLowerCase(Locale.ROOT))) {
                out.append(key).append('=').append(Secret.MASK);
            } else {
                out.append(pair);
            }
        }
        return out.toString();
    }
}
