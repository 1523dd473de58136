package dev.runbook.executors.service;

import dev.runbook.executors.compose.ComposeExecutor;
import dev.runbook.executors.kubectl.KubectlExecutor;
import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;

/**
 * The concrete executors a {@code service} action maps onto. The actions are called directly
 * (same process, same StepContext), so their checks, progress lines and failure messages are
 * exactly those of {@code compose.*} and {@code kubectl.*}.
 */
final class Backends {

    private static final Executor COMPOSE = new ComposeExecutor();
    private static final Executor KUBECTL = new KubectlExecutor();

    private Backends() {
    }

    static Invocation.Target compose(String action) {
        return new Invocation.Target(COMPOSE.name(), find(COMPOSE, action));
    }

    static Invocation.Target kubectl(String action) {
        return new Invocation.Target(KUBECTL.name(), find(KUBECTL, action));
    }

    private static Action find(Executor executor, String name) {
        List<Action> actions = executor.actions();
        return actions.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalStateException(executor.name() + " has no action '" + name + "'"));
    }
}
