package dev.runbook.cli;

import dev.runbook.engine.RunHistory;
import dev.runbook.engine.RunbookIdentity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code runbook runs [RUNBOOK]}: the history of runs, newest first, of every runbook or of one. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List past runs, newest first: all of them, or those of one runbook.")
final class RunsCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(index = "0", arity = "0..1", paramLabel = "RUNBOOK", description = "only runs of this runbook (a file, or a runbook's name)")
    String runbook;

    @Option(names = "--runbook", paramLabel = "RUNBOOK", description = "the same as the RUNBOOK argument")
    String runbookOption;

    @Option(names = "--limit", paramLabel = "N", description = "show only the newest N runs")
    Integer limit;

    @Mixin
    StateOptions state = new StateOptions();

    RunsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        if (runbook != null && runbookOption != null && !runbook.equals(runbookOption)) {
            throw new CliException(ExitCodes.INVALID, "give the runbook once: either RUNBOOK or --runbook");
        }
        String filter = runbook != null ? runbook : runbookOption;
        if (limit != null && limit < 1) {
            throw new CliException(ExitCodes.INVALID, "--limit must be at least 1");
        }
        List<RunHistory.RunSummary> runs = state.history(cli).list();
        if (filter != null) {
            runs = runs.stream().filter(matcher(filter)).toList();
        }
        if (runs.isEmpty()) {
            cli.out().println((filter == null ? "No runs yet" : "No runs of " + filter) + " in " + state.dir(cli)
                    + state.olderStateHint(cli));
            return ExitCodes.OK;
        }
        cli.out().println(String.format(Locale.ROOT, "%-44s %-20s %-20s %-11s %-13s %s", "RUN", "STARTED (UTC)", "RUNBOOK", "TARGET", "STATUS", "STEPS"));
        for (RunHistory.RunSummary r : runs.subList(0, limit == null ? runs.size() : Math.min(limit, runs.size()))) {
            long done = r.steps().values().stream().filter(RunHistory.StepRecord::done).count();
            cli.out().println(String.format(Locale.ROOT, "%-44s %-20s %-20s %-11s %-13s %d/%d done%s", r.runId(), startedAt(r), r.runbook(),
                    r.target(), r.status(), done, r.steps().size(), r.invocations() > 1 ? ", " + r.invocations() + " attempts" : ""));
        }
        return ExitCodes.OK;
    }

    /**
     * A file that exists matches the runs of the same runbook ({@link RunbookIdentity}: whatever
     * directory they were started from); anything else is taken as a runbook's name.
     */
    private java.util.function.Predicate<RunHistory.RunSummary> matcher(String filter) {
        Path file = cli.resolve(Path.of(filter));
        if (!Files.isRegularFile(file)) {
            return r -> filter.equals(r.runbook());
        }
        String identity = RunbookIdentity.of(file);
        return r -> identity.equals(r.runbookId() != null ? r.runbookId() : RunbookIdentity.of(Path.of(r.file())));
    }

    private static String startedAt(RunHistory.RunSummary r) {
        String t = r.started() == null ? "" : r.started();
        return t.length() >= 19 ? t.substring(0, 10) + " " + t.substring(11, 19) : t;
    }
}
