package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;

/**
 * Docker Compose projects: orchestration by the real Compose ({@code docker compose} v2, else
 * {@code docker-compose} v1), observation and exec through the Docker Engine API.
 * The project comes from each step's {@code project}/{@code files} or the run's compose target.
 */
public final class ComposeExecutor implements Executor {

    private static final List<Action> ACTIONS = List.of(new UpAction(), new DownAction(), new PsAction(),
            new WaitHealthyAction(), new ExecAction(), new RunAction(), new LogsAction(), new PortAction());

    @Override
    public String name() {
        return "compose";
    }

    @Override
    public String summary() {
        return "Start, stop, inspect and run commands in Docker Compose services";
    }

    @Override
    public List<Action> actions() {
        return ACTIONS;
    }
}
