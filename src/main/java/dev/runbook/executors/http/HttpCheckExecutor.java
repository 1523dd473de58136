package dev.runbook.executors.http;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;

import java.util.List;
import java.util.Optional;

/**
 * {@code http-check}: wait for a service to answer after a restore ({@code check}, the default
 * action, so {@code uses: http-check} reads naturally) and send notifications ({@code request}).
 * Uses the JDK's own HTTP client.
 */
public final class HttpCheckExecutor implements Executor {

    private static final List<Action> ACTIONS = List.of(new CheckAction(), new RequestAction());

    @Override public String name() { return "http-check"; }

    @Override public String summary() { return "poll an HTTP endpoint until it is healthy, or send a webhook request"; }

    @Override public List<Action> actions() { return ACTIONS; }

    @Override public Optional<String> defaultAction() { return Optional.of("check"); }

    /** The endpoint, with the method; credentials in the URL are masked, run-time values shown as such. */
    @Override
    public List<String> touches(Action action, Params params, StepContext context) {
        String method = RequestSpec.displayMethod(params, action instanceof RequestAction ? "POST" : "GET");
        return List.of("HTTP " + method + " " + RequestSpec.displayUrl(params));
    }
}
