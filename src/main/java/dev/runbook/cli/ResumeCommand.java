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
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/** {@code runbook resume RUN}: continue a failed or interrupted run, optionally with corrected inputs. */
@Command(name = "resume", mixinStandardHelpOptions = true, description = "Continue a failed or interrupted run: finished steps are kept,"
        + " the rest runs. RUN is a run id, a unique prefix of one, or `last`. --input/--inputs correct inputs:"
        + " the steps whose parameters change with them run again.")
final class ResumeCommand implements Callable<Integer> {

    private final Cli cli;
    private final ExecutorRegistry registry;

    @Parameters(index = "0", paramLabel = "RUN")
    String runRef;

    @Option(names = "--rerun", paramLabel = "STEP", description = "run this step again, and everything after it (repeatable)")
    List<String> rerun;

    /** corrections: steps whose parameters change with them run again */
    @Mixin
    InputOptions options = new InputOptions();

    @Mixin
    ApprovalOptions execution = new ApprovalOptions();

    @Mixin
    StateOptions state = new StateOptions();

    ResumeCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() throws IOException {
        RunHistory.RunSummary previous = state.run(cli, runRef);
        String runId = previous.runId();
        Map<String, Object> corrected = Runbooks.given(cli, options);
        boolean repeat = (rerun != null && !rerun.isEmpty()) || !corrected.isEmpty();
        if (previous.status().equals("succeeded") && !repeat) {
            cli.out().println("Run " + runId + " already succeeded; nothing to resume. Use --rerun STEP to repeat a step,"
                    + " or --input NAME=VALUE to run the steps that read a corrected input.");
            return ExitCodes.OK;
        }
        ValidRunbook valid = Runbooks.load(cli, registry, Path.of(previous.file()));
        String firstHash = String.valueOf(previous.events().get(0).get("source_sha256"));
        if (!firstHash.equals(Planner.sourceHash(valid))) {
            cli.err().println("note: " + previous.file() + " changed since this run started; the changed runbook is used"
                    + " (steps already done are kept).");
        }
        Engine engine = new Engine(state.dir(cli), cli.env(), new Console(cli.out(), cli.terminal()),
                execution.approver(cli), execution.maxParallel);
        try {
            try (Signals signals = Signals.install(engine::interrupt)) {
                return RunCommand.exitCode(engine.resume(valid, previous, rerun == null ? Set.of() : Set.copyOf(rerun), corrected), signals);
            }
        } catch (InvalidRunbookException e) {
            throw Runbooks.invalid(e.problems(), "cannot resume " + runId);
        } catch (RunLock.HeldException e) {
            throw new CliException(ExitCodes.LOCKED, e.getMessage());
        }
    }
}
