package dev.runbook.executors.http;

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

/**
 * {@code http-check.request}: one request, by default a JSON POST, for notifications such as
 * a chat webhook ("restore finished") or a dead-man's-switch ping. No polling: the engine's
 * retry settings decide whether a failed send is tried again.
 */
public final class RequestAction implements Action {

    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private static final List<ParamSpec> PARAMS = List.of(
            RequestSpec.URL,
            RequestSpec.method("POST"),
            RequestSpec.HEADERS,
            RequestSpec.BODY,
            ParamSpec.optional("expect-status", ParamType.LIST, null,
                    "status code or list of codes that count as success (default: any 2xx)").ofItems(Expectation.STATUS_ITEM),
            ParamSpec.optional("timeout", ParamType.DURATION, "10s", "how long the request may take"),
            HttpClients.INSECURE,
            HttpClients.CA_FILE);

    private static final List<OutputSpec> OUTPUTS = List.of(
            OutputSpec.of("status", ParamType.INT, "status code of the answer"),
            OutputSpec.of("body", ParamType.STRING, "body of the answer (first 64 KiB)"));

    @Override public String name() { return "request"; }

    @Override public String summary() { return "send one HTTP request, e.g. a JSON message to a chat webhook"; }

    @Override public List<ParamSpec> params() { return PARAMS; }

    @Override public List<OutputSpec> outputs() { return OUTPUTS; }

    @Override
    public String describe(Params params) {
        String method = RequestSpec.displayMethod(params, "POST");
        String url = RequestSpec.displayUrl(params);
        return params.has("body") ? method + " a JSON message to " + url : method + " " + url;
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        RequestSpec spec = RequestSpec.from(params, "POST", context);
        Expectation expect = expectation(params, spec);
        Duration timeout = params.duration("timeout", DEFAULT_TIMEOUT);
        if (timeout.isZero() || timeout.isNegative()) {
            throw new StepFailure(spec.label() + ": 'timeout' must be longer than 0", false, null);
        }
        HttpClient client = HttpClients.build(params, timeout, context);
        Exchange.Response response;
        try {
            response = Exchange.send(client, spec.toRequest(timeout), timeout, context);
        } catch (Exchange.NoAnswer e) {
            throw new StepFailure(spec.label() + " failed: " + spec.redact(e.getMessage()), true, null);
        } catch (InterruptedException e) {
            throw new InterruptedException(spec.label() + ": cancelled");
        }
        String body = spec.redact(response.body());
        if (!expect.statusMatches(response.status())) {
            int status = response.status();
            // A 4xx (bad token, malformed message) will fail the same way again; 408/429/5xx may not.
            boolean retryable = status >= 500 || status == 408 || status == 429;
            throw new StepFailure(spec.label() + " answered " + status + ", expected " + expect.statusText()
                    + Exchange.snippet(body) + (retryable ? "" : ". Check the URL, credentials and message format"), retryable, null);
        }
        context.log().info(spec.label() + " answered " + response.status() + " (" + response.latencyMs() + " ms)");
        return Outputs.none().put("status", (long) response.status()).put("body", body);
    }

    private static Expectation expectation(Params params, RequestSpec spec) throws StepFailure {
        try {
            return Expectation.ofStatus("expect-status", params.has("expect-status") ? params.list("expect-status") : List.of("2xx"));
        } catch (IllegalArgumentException e) {
            throw new StepFailure(spec.label() + ": " + e.getMessage(), false, null);
        }
    }
}
