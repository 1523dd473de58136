package dev.runbook.executors.http;

import dev.runbook.spi.StepContext;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Sends one request, bounded in time and cancellable, and explains a failure in plain words. */
final class Exchange {

    /** Bodies are kept up to 64 KiB: enough for any health answer or webhook reply. */
    static final int BODY_LIMIT = 64 * 1024;

    /** How often a waiting request looks at the step's cancellation flag. */
    private static final long POLL_MS = 100;

    record Response(int status, String body, boolean truncated, long latencyMs) {
    }

    /** The request got no HTTP answer; {@code reason} is for people ("connection refused"). */
    static final class NoAnswer extends Exception {
        private final boolean timedOut;

        NoAnswer(String reason, boolean timedOut, Throwable cause) {
            super(reason, cause, false, false);
            this.timedOut = timedOut;
        }

        /** True when the server did not answer in time (as opposed to refusing or failing). */
        boolean timedOut() {
            return timedOut;
        }
    }

    private Exchange() {
    }

    /** ": {"status":"starting"}" — a body on one line, cut to 200 characters, for messages. */
    static String snippet(String body) {
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.isEmpty() ? "" : ": " + (flat.length() > 200 ? flat.substring(0, 200) + "…" : flat);
    }

    /**
     * Sends the request and waits up to {@code timeout} for the whole (limited) body.
     *
     * @throws InterruptedException when the step is cancelled or its thread interrupted; the
     *                              request is abandoned
     */
    static Response send(HttpClient client, HttpRequest request, Duration timeout, StepContext context)
            throws NoAnswer, InterruptedException {
        long started = System.nanoTime();
        long deadline = started + timeout.toNanos();
        CompletableFuture<HttpResponse<LimitedBody.Text>> future = client.sendAsync(request, LimitedBody.handler(BODY_LIMIT));
        try {
            while (true) {
                if (Thread.interrupted() || context.cancelled()) { // clears the flag, as throwing InterruptedException does
                    throw new InterruptedException("cancelled");
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new NoAnswer("no answer within " + Windows.human(timeout), true, null);
                }
                try {
                    HttpResponse<LimitedBody.Text> response = future.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(POLL_MS)), TimeUnit.NANOSECONDS);
                    long latency = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    return new Response(response.statusCode(), response.body().text(), response.body().truncated(), latency);
                } catch (TimeoutException e) {
                    // not yet: look at cancellation and the deadline again
                } catch (ExecutionException e) {
                    throw new NoAnswer(explain(e.getCause(), timeout), e.getCause() instanceof HttpTimeoutException, e.getCause());
                }
            }
        } finally {
            future.cancel(true); // no-op when done; otherwise abandons the exchange
        }
    }

    /** "connection refused", "unknown host db.internal", "TLS handshake failed: ...". */
    static String explain(Throwable error, Duration timeout) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "could not connect within " + Windows.human(timeout);
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + Windows.human(timeout);
        }
        if (has(e, UnresolvedAddressException.class) || has(e, UnknownHostException.class)) {
            return "unknown host (check the name and DNS)";
        }
        if (e instanceof SSLHandshakeException || has(e, SSLHandshakeException.class)) {
            return "TLS handshake failed (" + deepestMessage(e) + "); if the server uses a private CA set ca-file"
                    + " to its PEM certificate";
        }
        if (e instanceof SSLException || has(e, SSLException.class)) {
            return "TLS error (" + deepestMessage(e) + ")";
        }
        if (e instanceof ConnectException || has(e, ConnectException.class)) {
            // The JDK client reports a refused connection as a ConnectException without any message.
            String msg = deepestMessage(e);
            return msg.equals("ConnectException") || msg.toLowerCase(java.util.Locale.ROOT).contains("refused")
                    ? "connection refused" : "cannot connect (" + msg + ")";
        }
        String msg = deepestMessage(e);
        if (msg.toLowerCase(java.util.Locale.ROOT).contains("closed") || msg.contains("EOF")) {
            return "connection closed by the server before it answered";
        }
        return e.getClass().getSimpleName() + ": " + msg;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /** The JDK client often wraps a useful message in an exception with none. */
    private static String deepestMessage(Throwable e) {
        String msg = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                msg = t.getMessage();
            }
        }
        return msg == null ? e.getClass().getSimpleName() : msg;
    }
}
