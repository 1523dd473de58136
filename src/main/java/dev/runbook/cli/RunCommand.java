package dev.runbook.cli;

import dev.runbook.engine.Engine;
import dev.runbook.engine.RunLock;
import dev.runbook.engine.RunResult;
import dev.runbook.model.InvalidRunbookException;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.plan.Plan;
import dev.runbook.plan.PlanText;
import dev.runbook.plan.Planner;
import dev.runbook.plan.Targets;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Target;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;

/** {@code runbook run FILE} (or {@code --plan plan.json}): runs it, journaling every step. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a runbook (or exactly a saved plan), with a journal of every step.")
final class RunCommand implements Callable<Integer> {

    private final Cli cli;
    private final ExecutorRegistry registry;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE")
    Path file;

    @Option(names = "--plan", paramLabel = "PLAN.json", description = "run exactly this saved plan; refuses if the runbook or inputs changed")
    Path planFile;

    @Mixin
    InputOptions options = new InputOptions();

    @Mixin
    TargetOption target = new TargetOption();

    @Mixin
    ApprovalOptions execution = new ApprovalOptions();

    @Mixin
    StateOptions state = new StateOptions();

    RunCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() throws IOException {
        if (file == null && planFile == null) {
            throw new CliException(ExitCodes.INVALID, "give a runbook file, or --plan PLAN.json");
        }
        Plan saved = planFile == null ? null : readPlan();
        Path runbookFile = file != null ? file : Path.of(saved.file());
        ValidRunbook valid = Runbooks.load(cli, registry, runbookFile);
        Map<String, Object> given = Runbooks.inputs(cli, options, valid);
        if (saved != null) {
            if (options.given()) {
                throw new CliException(ExitCodes.INVALID, "--plan runs the inputs recorded in the plan; do not give --input or --inputs with it");
            }
            given = new java.util.LinkedHashMap<>(saved.inputs());
            checkPlanStillHolds(saved, valid, given);
            checkDestructivePreviewsHold(saved, valid, given);
        }
        Target chosen;
        try {
            chosen = Targets.choose(valid.runbook().target(), saved != null ? saved.target() : target.name);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.INVALID, e.getMessage());
        }
        Engine engine = new Engine(state.dir(cli), cli.env(), new Console(cli.out(), cli.terminal()),
                execution.approver(cli), execution.maxParallel);
        try {
            try (Signals signals = Signals.install(engine::interrupt)) {
                return exitCode(engine.run(valid, given, chosen), signals);
            }
        } catch (InvalidRunbookException e) {
            throw Runbooks.invalid(e.problems(), "cannot start " + valid.runbook().name());
        } catch (RunLock.HeldException e) {
            throw new CliException(ExitCodes.LOCKED, e.getMessage());
        }
    }

    static int exitCode(RunResult result) {
        return exitCode(result, null);
    }

    static int exitCode(RunResult result, Signals signals) {
        if (!result.outcome().failure()) {
            return ExitCodes.OK;
        }
        if (result.executorBug()) {
            return ExitCodes.INTERNAL; // the step's message names the action and its undeclared outputs
        }
        if (signals != null && signals.received() != null) {
            return signals.exitCode();
        }
        return result.approvalMissing() ? ExitCodes.NOT_APPROVED : ExitCodes.STEP_FAILED;
    }

    /** The saved plan, or what is wrong with the file in words (never the JSON parser's own text). */
    private Plan readPlan() {
        String what = "--plan " + planFile;
        String notAPlan = what + " is not a plan made by `runbook plan --out`: ";
        Plan plan;
        try {
            plan = PlanText.fromJson(Runbooks.text(cli.resolve(planFile), what));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CliException(ExitCodes.INVALID, notAPlan + jsonProblem(e));
        }
        if (plan == null) {
            throw new CliException(ExitCodes.INVALID, notAPlan + "it holds no plan");
        }
        if (plan.format() != 0 && plan.format() != Plan.FORMAT) {
            throw new CliException(ExitCodes.INVALID, what + " has format " + plan.format() + ", this version of runbook reads format "
                    + Plan.FORMAT + "; make a new plan and review it");
        }
        java.util.List<String> missing = new java.util.ArrayList<>();
        if (plan.format() == 0) {
            missing.add("format");
        }
        if (plan.file() == null) {
            missing.add("file");
        }
        if (plan.sourceSha256() == null) {
            missing.add("sourceSha256");
        }
        if (plan.inputs() == null) {
            missing.add("inputs");
        }
        if (plan.target() == null) {
            missing.add("target");
        }
        if (plan.sections() == null) {
            missing.add("sections");
        }
        if (!missing.isEmpty()) {
            throw new CliException(ExitCodes.INVALID, notAPlan + "these fields are missing: " + String.join(", ", missing));
        }
        return plan;
    }

    /** A JSON problem in words, with its line and column. */
    static String jsonProblem(com.fasterxml.jackson.core.JsonProcessingException e) {
        com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        if (e instanceof com.fasterxml.jackson.core.io.JsonEOFException
                || String.valueOf(e.getOriginalMessage()).contains("end-of-input")) {
            return "the JSON ends too early, as if the file was cut off" + where;
        }
        if (e instanceof com.fasterxml.jackson.core.JsonParseException) {
            return "it is not JSON" + where;
        }
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "'" + u.getPropertyName() + "' is not a field of a plan" + where;
        }
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder field = new StringBuilder();
            for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
                field.append(r.getFieldName() != null ? (field.length() > 0 ? "." : "") + r.getFieldName() : "[" + r.getIndex() + "]");
            }
            return "its field '" + field + "' is not of the kind a plan has there" + where;
        }
        return "it is not a JSON object of a plan's fields" + where;
    }

    /** Terraform's contract: a saved plan runs only if what it was made from is unchanged. */
    private void checkPlanStillHolds(Plan saved, ValidRunbook valid, Map<String, Object> given) {
        String now = Planner.sourceHash(valid);
        if (!now.equals(saved.sourceSha256())) {
            throw new CliException(ExitCodes.INVALID, "refusing to run " + planFile + ": " + saved.file()
                    + " (or a runbook it calls) changed since the plan was made. Make a new plan and review it.");
        }
        Plan fresh = asSaved(PlanCommand.make(cli, valid, given, saved.target(), false));
        if (!Objects.equals(fresh.inputs(), saved.inputs()) || !Objects.equals(fresh.target(), saved.target())) {
            throw new CliException(ExitCodes.INVALID, "refusing to run " + planFile
                    + ": the inputs would differ now (an input's default reads the environment, which changed)."
                    + " Make a new plan and review it.");
        }
    }

    /**
     * A destructive step previewed with {@code plan --refresh} (which objects a prune deletes)
     * runs from a saved plan only if the same preview holds now: the person approved exactly
     * that set, not whatever the bucket holds by the time the plan runs.
     */
    private void checkDestructivePreviewsHold(Plan saved, ValidRunbook valid, Map<String, Object> given) {
        Map<String, String> before = destructivePreviews(saved.sections());
        if (before.isEmpty()) {
            return;
        }
        Map<String, String> now = destructivePreviews(PlanCommand.make(cli, valid, given, saved.target(), true).sections());
        for (Map.Entry<String, String> e : before.entrySet()) {
            String fresh = now.get(e.getKey());
            if (!e.getValue().equals(fresh)) {
                throw new CliException(ExitCodes.INVALID, "refusing to run " + planFile + ": what step " + e.getKey()
                        + " would delete or keep changed since the plan was made.\n  planned: " + firstLine(e.getValue())
                        + "\n  now:     " + firstLine(fresh) + "\nMake a new plan (runbook plan --refresh --out ...) and review it.");
            }
        }
    }

    /** The plan as it reads back from its JSON, so typed inputs (a duration 1d) compare with the saved text. */
    private static Plan asSaved(Plan plan) {
        try {
            return PlanText.fromJson(PlanText.json(plan));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a plan always reads back from its own JSON", e);
        }
    }

    private static Map<String, String> destructivePreviews(java.util.List<Plan.PlannedSection> sections) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        for (Plan.PlannedSection section : sections) {
            for (java.util.List<Plan.PlannedStep> wave : section.waves()) {
                for (Plan.PlannedStep step : wave) {
                    if (step.destructive() && step.probe() != null) {
                        out.put(step.id(), step.probe());
                    }
                    out.putAll(destructivePreviews(step.calls()));
                }
            }
        }
        return out;
    }

    private static String firstLine(String text) {
        return text == null ? "(no preview)" : text.lines().findFirst().orElse("");
    }
}
