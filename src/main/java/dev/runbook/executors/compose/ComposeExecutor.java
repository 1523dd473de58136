package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;
import java.util.Map;
import dev.runbook.spi.Params;
import dev.runbook.spi.Resolved;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

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

    /** The project, its files and directory, from the step or the compose target; reads no container. */
    @Override
    public Resolved resolve(Action action, Params params, StepContext context) {
        ComposeProject project;
        try {
            project = ComposeProject.resolve(params, context);
        } catch (StepFailure e) {
            return Resolved.problem(e.getMessage());
        } catch (RuntimeException e) { // the step's project or files are known only at run time
            return Resolved.touching(List.of("Docker " + ComposeProject.display(params) + " (its name or files are known at run time)"));
        }
        return new Resolved(List.of(project.display()), params.has("project") ? Map.of() : Map.of("project", project.name()), List.of());
    }
}
