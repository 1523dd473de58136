package dev.runbook.cli;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.plan.InputsNotBound;
import dev.runbook.plan.Plan;
import dev.runbook.plan.PlanText;
import dev.runbook.plan.Planner;
import dev.runbook.plan.Targets;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Counts;
import dev.runbook.spi.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code runbook plan FILE}: what a run would do, touching nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Show what a run would do, in order, touching nothing.")
final class PlanCommand implements Callable<Integer> {

    enum Format { text, json }

    private final Cli cli;
    private final ExecutorRegistry registry;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Mixin
    InputOptions options = new InputOptions();

    @Mixin
    TargetOption target = new TargetOption();

    @Option(names = "--format", defaultValue = "text", description = "text or json (stable, documented)")
    Format format;

    @Option(names = "--out", paramLabel = "FILE", description = "also save the plan as JSON, to run it with `run --plan FILE`")
    Path out;

    @Option(names = "--refresh", description = "let executors run read-only probes (which backup is latest, ...) and decide the preconditions that read them; exit code 6 when one fails")
    boolean refresh;

    PlanCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() throws IOException {
        ValidRunbook valid = Runbooks.load(cli, registry, file);
        Plan plan = make(cli, valid, Runbooks.inputs(cli, options, valid), target.name, refresh);
        cli.out().print(format == Format.json ? PlanText.json(plan) : PlanText.text(plan));
        cli.out().flush();
        if (out != null) {
            Path saved = cli.resolve(out);
            Files.writeString(saved, PlanText.json(plan));
            cli.err().println("plan saved to " + saved + "; run exactly this with: runbook run --plan " + out);
        }
        if (!plan.problems().isEmpty()) {
            cli.err().println("plan: " + Counts.of(plan.problems().size(), "problem")
                    + " found now (a run would stop): " + plan.problems().get(0));
            return ExitCodes.PLAN_PROBLEMS;
        }
        return ExitCodes.OK;
    }

    static Plan make(Cli cli, ValidRunbook valid, Map<String, Object> inputs, String targetOption, boolean refresh) {
        Target target;
        try {
            target = Targets.choose(valid.runbook().target(), targetOption);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.INVALID, e.getMessage());
        }
        try (LazyScratchDir scratch = new LazyScratchDir()) {
            Planner planner = new Planner(cli.env(), refresh ? id -> new ProbeContext(cli, id, target, valid, scratch) : null);
            return planner.plan(valid, inputs, target);
        } catch (InputsNotBound e) {
            // what the person must give, and what else they may: every input with its description
            throw Runbooks.invalid(e.problems(), "\n" + PlanText.inputs(e.inputs()) + "\n", "cannot plan " + valid.runbook().name());
        } catch (InvalidRunbookException e) {
            throw Runbooks.invalid(e.problems(), "cannot plan " + valid.runbook().name());
        }
    }
}
