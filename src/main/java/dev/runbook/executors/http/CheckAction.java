package dev.runbook.executors.http;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code http-check.check}: polls a URL until it answers as expected (the service is back after
 * a restore), within its own window, and fails with what it last saw.
 */
public final class CheckAction implements Action {

    static final Duration DEFAULT_WITHIN = Duration.ofSeconds(60);
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(2);
    static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private static final List<ParamSpec> PARAMS = List.of(
            RequestSpec.URL,
            RequestSpec.method("GET"),
            RequestSpec.HEADERS,
            RequestSpec.BODY,
            Expectation.PARAM,
            ParamSpec.optional("within", ParamType.DURATION, "60s", "how long to keep trying in total"),
            ParamSpec.optional("interval", ParamType.DURATION, "2s", "pause between attempts"),
            ParamSpec.optional("request-timeout", ParamType.DURATION, "10s", "how long one attempt may take"),
            HttpClients.INSECURE,
            HttpClients.CA_FILE);

    private static final List<OutputSpec> OUTPUTS = List.of(
            OutputSpec.of("status", ParamType.INT, "status code of the last answer"),
            OutputSpec.of("latency-ms", ParamType.INT, "duration of the successful request in milliseconds"),
            OutputSpec.of("attempts", ParamType.INT, "requests sent, the successful one included"),
            OutputSpec.of("body", ParamType.STRING, "body of the successful answer (first 64 KiB)"));

    @Override public String name() { return "check"; }

    @Override public String summary() { return "wait until a URL answers as expected (health check)"; }

    @Override public List<ParamSpec> params() { return PARAMS; }

    @Override public List<OutputSpec> outputs() { return OUTPUTS; }

    @Override
    public String describe(Params params) {
        String expected;
        try {
            expected = Expectation.from(params).describe();
        } catch (RuntimeException e) { // a run-time value inside expect: show it as written
            expected = params.display("expect");
        }
        return RequestSpec.displayMethod(params, "GET") + " " + RequestSpec.displayUrl(params)
                + " until it answers " + expected
                + " (up to " + shown(params, "within", DEFAULT_WITHIN) + ", every " + shown(params, "interval", DEFAULT_INTERVAL) + ")";
    }

    /** One read-only look for {@code plan --refresh}: only for GET/HEAD, which do not change anything. */
    @Override
    public Optional<String> probe(Params params, StepContext context) throws Exception {
        RequestSpec spec = RequestSpec.from(params, "GET", context);
        if (!spec.method().equals("GET") && !spec.method().equals("HEAD")) {
            return Optional.empty();
        }
        Duration timeout = params.duration("request-timeout", DEFAULT_REQUEST_TIMEOUT);
        HttpClient client = HttpClients.build(params, timeout, context);
        try {
            Exchange.Response response = Exchange.send(client, spec.toRequest(timeout), timeout, context);
            Optional<String> problem = Expectation.from(params).mismatch(response.status(), response.body());
            return Optional.of(problem.orElse("answers " + response.status() + " as expected"));
        } catch (Exchange.NoAnswer e) {
            return Optional.of(spec.redact(e.getMessage()));
        }
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        RequestSpec spec = RequestSpec.from(params, "GET", context);
        Expectation expect;
        try {
            expect = Expectation.from(params);
        } catch (BadParameterException e) {
            throw new StepFailure(spec.label() + ": " + e.getMessage(), false, null);
        }
        Duration within = params.duration("within", DEFAULT_WITHIN);
        Duration interval = params.duration("interval", DEFAULT_INTERVAL);
        Duration requestTimeout = params.duration("request-timeout", DEFAULT_REQUEST_TIMEOUT);
        if (within.isZero() || within.isNegative() || requestTimeout.isZero() || requestTimeout.isNegative()) {
            throw new StepFailure(spec.label() + ": 'within' and 'request-timeout' must be longer than 0", false, null);
        }
        HttpClient client = HttpClients.build(params, requestTimeout, context);
        return new Poller(spec, expect, client, context).poll(within, interval, requestTimeout);
    }

    private static String shown(Params params, String name, Duration fallback) {
        if (params.isDeferred(name)) {
            return params.display(name);
        }
        try {
            return Windows.human(params.duration(name, fallback));
        } catch (RuntimeException e) {
            return params.display(name);
        }
    }

    /** One run of the polling loop. */
    private record Poller(RequestSpec spec, Expectation expect, HttpClient client, StepContext context) {

        Outputs poll(Duration within, Duration interval, Duration requestTimeout) throws StepFailure, InterruptedException {
            long start = System.nanoTime();
            long deadline = start + within.toNanos();
            int attempts = 0;
            String last = null;
            do {
                long attemptStart = System.nanoTime();
                // Never let one request run past the window: the window is the promise made in the plan.
                Duration timeout = Duration.ofNanos(Math.max(1_000_000, Math.min(requestTimeout.toNanos(), deadline - attemptStart)));
                attempts++;
                Attempt attempt = attempt(timeout, timeout.compareTo(requestTimeout) < 0, attempts);
                if (attempt.problem() == null) {
                    Exchange.Response response = attempt.response();
                    context.log().info(spec.label() + " answered " + response.status() + " after " + attempts
                            + " attempt(s) in " + Windows.human(elapsed(start)) + " (request took " + response.latencyMs() + " ms)");
                    return Outputs.none()
                            .put("status", (long) response.status())
                            .put("latency-ms", response.latencyMs())
                            .put("attempts", (long) attempts)
                            .put("body", spec.redact(response.body()));
                }
                context.log().info("attempt " + attempts + ": " + spec.label() + " " + attempt.problem());
                // An attempt cut short by the end of the window says little; keep the one before it.
                if (!(attempt.cutShort() && last != null)) {
                    last = attempt.problem();
                }
                pauseUntil(Math.min(attemptStart + interval.toNanos(), deadline), attempts);
            } while (System.nanoTime() < deadline);
            String message = spec.label() + " did not answer " + expect.describe() + " within " + Windows.human(within)
                    + " (" + attempts + " attempt(s) over " + Windows.human(elapsed(start)) + "; last: " + last + ")";
            context.log().warn(message);
            throw new StepFailure(message + ". Check that the service is running and read its logs, then re-run the step", true, null);
        }

        /** One request: the response, or why it is not the expected one (already scrubbed of secrets). */
        private record Attempt(Exchange.Response response, String problem, boolean cutShort) {
        }

        private Attempt attempt(Duration timeout, boolean lastSlice, int attempts) throws StepFailure, InterruptedException {
            try {
                Exchange.Response response = Exchange.send(client, spec.toRequest(timeout), timeout, context);
                String body = spec.redact(response.body());
                return new Attempt(response, expect.mismatch(response.status(), response.body())
                        .map(problem -> problem + Exchange.snippet(body)).orElse(null), false);
            } catch (Exchange.NoAnswer e) {
                if (lastSlice && e.timedOut()) {
                    return new Attempt(null, "no answer in the last " + Windows.human(timeout) + " of the window", true);
                }
                return new Attempt(null, spec.redact(e.getMessage()), false);
            } catch (InterruptedException e) {
                throw new InterruptedException(spec.label() + ": cancelled after " + attempts + " attempt(s)");
            }
        }

        /** Sleeps in short slices so a cancel or interrupt is seen within 100 ms. */
        private void pauseUntil(long nanoTime, int attempts) throws InterruptedException {
            while (true) {
                if (Thread.interrupted() || context.cancelled()) { // clears the flag, as throwing InterruptedException does
                    throw new InterruptedException(spec.label() + ": cancelled after " + attempts + " attempt(s)");
                }
                long left = nanoTime - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                Thread.sleep(Math.min(Duration.ofNanos(left).toMillis() + 1, 100));
            }
        }

        private static Duration elapsed(long start) {
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }
}
