package dev.runbook.executors.http;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

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
}
