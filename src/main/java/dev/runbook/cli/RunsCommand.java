package dev.runbook.cli;

import dev.runbook.engine.RunHistory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code runbook runs}: the history of runs, newest first. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List past runs, newest first.")
final class RunsCommand implements Callable<Integer> {

    private final Cli cli;

    @Option(names = "--state-dir", paramLabel = "DIR")
    Path stateDir;

    @Option(names = "--limit", defaultValue = "20")
    int limit;

    RunsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        var runs = new RunHistory(cli.stateDir(stateDir)).list();
        if (runs.isEmpty()) {
            cli.out().println("No runs yet in " + cli.stateDir(stateDir));
            return ExitCodes.OK;
        }
        cli.out().println(String.format(Locale.ROOT, "%-44s %-20s %-11s %-13s %s", "RUN", "RUNBOOK", "TARGET", "STATUS", "STEPS"));
        for (RunHistory.RunSummary r : runs.subList(0, Math.min(limit, runs.size()))) {
            long done = r.steps().values().stream().filter(s -> s.outcome().done()).count();
            cli.out().println(String.format(Locale.ROOT, "%-44s %-20s %-11s %-13s %d/%d done%s", r.runId(), r.runbook(),
                    r.target(), r.status(), done, r.steps().size(), r.invocations() > 1 ? ", " + r.invocations() + " attempts" : ""));
        }
        return ExitCodes.OK;
    }
}
