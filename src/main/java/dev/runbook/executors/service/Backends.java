package dev.runbook.executors.service;

import dev.runbook.executors.compose.ComposeExecutor;
import dev.runbook.executors.kubectl.KubectlExecutor;
import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.Params;
import dev.runbook.spi.Resolved;
import dev.runbook.spi.StepContext;

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

    /** Where the concrete executor of this run's platform acts (a problem when the target is neither). */
    static Resolved resolve(Params params, StepContext context) {
        Platform platform = Platform.find(context.target()).orElse(null);
        if (platform == null) {
            return Resolved.problem("service steps need a Compose or Kubernetes target, and this run's is '"
                    + (context.target() == null ? "none" : context.target().kind()) + "' (choose one with --target)");
        }
        Executor executor = platform == Platform.COMPOSE ? COMPOSE : KUBECTL;
        return executor.resolve(executor.actions().get(0), params, context);
    }

    private static Action find(Executor executor, String name) {
        List<Action> actions = executor.actions();
        return actions.stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow(() ->
                new IllegalStateException(executor.name() + " has no action '" + name + "'"));
    }
}
