package dev.runbook.cli;

import dev.runbook.engine.Engine;
import dev.runbook.engine.RunHistory;
import dev.runbook.engine.RunLock;
import dev.runbook.model.InvalidRunbookException;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.plan.Planner;
import dev.runbook.registry.ExecutorRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code runbook resume RUN_ID}: continue a failed or interrupted run. */
@Command(name = "resume", mixinStandardHelpOptions = true, description = "Continue a failed or interrupted run: finished steps are kept, the rest runs.")
final class ResumeCommand implements Callable<Integer> {

    private final Cli cli;
    private final ExecutorRegistry registry;

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--rerun", paramLabel = "STEP", description = "run this step again, and everything after it (repeatable)")
    List<String> rerun;

    @Mixin
    ApprovalOptions execution = new ApprovalOptions();

    ResumeCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() throws IOException {
        RunHistory history = new RunHistory(cli.stateDir(execution.stateDir));
        RunHistory.RunSummary previous = history.read(runId).orElseThrow(() ->
                new CliException(ExitCodes.INVALID, "no run '" + runId + "' in " + cli.stateDir(execution.stateDir) + "; see `runbook runs`"));
        if (previous.status().equals("succeeded")) {
            cli.out().println("Run " + runId + " already succeeded; nothing to resume. Use --rerun STEP to repeat a step.");
            if (rerun == null || rerun.isEmpty()) {
                return ExitCodes.OK;
            }
        }
        ValidRunbook valid = Runbooks.load(cli, registry, Path.of(previous.file()));
        String firstHash = String.valueOf(previous.events().get(0).get("source_sha256"));
        if (!firstHash.equals(Planner.sourceHash(valid))) {
            cli.err().println("note: " + previous.file() + " changed since this run started; the changed runbook is used"
                    + " (steps already done are kept).");
        }
        Engine engine = new Engine(cli.stateDir(execution.stateDir), cli.env(), new Console(cli.out(), cli.terminal()),
                execution.approver(cli), execution.maxParallel);
        try {
            try (Signals signals = Signals.install(engine::interrupt)) {
                return RunCommand.exitCode(engine.resume(valid, previous, rerun == null ? Set.of() : Set.copyOf(rerun)), signals);
            }
        } catch (InvalidRunbookException e) {
            throw Runbooks.invalid(e.problems(), "cannot resume " + runId);
        } catch (RunLock.HeldException e) {
            throw new CliException(ExitCodes.LOCKED, e.getMessage());
        }
    }
}
