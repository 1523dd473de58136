package dev.runbook.executors.service;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.Params;
import dev.runbook.spi.Resolved;
import dev.runbook.spi.StepContext;

import java.util.List;

/**
 * {@code uses: service.<action>}: the same step on Docker Compose or Kubernetes. Each action
 * maps onto the {@code compose} or {@code kubectl} executor's actions, chosen by the run's
 * target ({@code --target compose|kubernetes}); a "service" is a Compose service there and the
 * Deployment/Service of the same name here. The plan says which concrete thing happens.
 */
public final class ServiceExecutor implements Executor {

    private static final List<Action> ACTIONS = List.of(new UpAction(), new DownAction(), new WaitReadyAction(),
            new ExecAction(), new LogsAction(), new AddressAction());

    @Override
    public String name() {
        return "service";
    }

    @Override
    public String summary() {
        return "Target-neutral services: up, down, wait-ready, exec, logs, address on Docker Compose or Kubernetes";
    }

    @Override
    public List<Action> actions() {
        return ACTIONS;
    }

    @Override
    public Resolved resolve(Action action, Params params, StepContext context) {
        return Backends.resolve(params, context);
    }
}
