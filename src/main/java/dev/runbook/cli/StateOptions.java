package dev.runbook.cli;

import dev.runbook.engine.RunHistory;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** {@code --state-dir}, and finding a run in it by id, unique prefix or {@code last}; for every command that reads or makes runs. */
final class StateOptions {

    private static final int CANDIDATES_SHOWN = 10;

    @Option(names = "--state-dir", paramLabel = "DIR", description = "where runs and locks are kept (default $RUNBOOK_STATE_DIR,"
            + " else $XDG_STATE_HOME/runbook, else ~/.local/state/runbook)")
    Path stateDir;

    Path dir(Cli cli) {
        return cli.stateDir(stateDir);
    }

    RunHistory history(Cli cli) {
        return new RunHistory(dir(cli));
    }

    /** The run {@code ref} names (a run id, a unique prefix of one, or {@code last}); exit 2 otherwise. */
    RunHistory.RunSummary run(Cli cli, String ref) throws IOException {
        RunHistory.Lookup found = history(cli).find(ref);
        if (found.run().isPresent()) {
            return found.run().get();
        }
        List<String> candidates = found.candidates();
        if (candidates.size() > 1) {
            String shown = String.join("\n  ", candidates.subList(0, Math.min(CANDIDATES_SHOWN, candidates.size())));
            throw new CliException(ExitCodes.INVALID, "'" + ref + "' could be any of " + candidates.size() + " runs:\n  " + shown
                    + (candidates.size() > CANDIDATES_SHOWN ? "\n  ..." : "") + "\ngive more of the run id.");
        }
        throw new CliException(ExitCodes.INVALID, (ref.equals(RunHistory.LAST) ? "no runs yet" : "no run '" + ref + "'")
                + " in " + dir(cli) + "; see `runbook runs`." + olderStateHint(cli));
    }

    /** Runs made before the state directory moved are in ./.runbook: say how to reach them. */
    String olderStateHint(Cli cli) {
        Path old = cli.workDir().resolve(".runbook");
        if (stateDir == null && Files.isDirectory(old.resolve("runs")) && !old.equals(dir(cli))) {
            return "\n(./.runbook here holds runs kept by an older runbook: add --state-dir .runbook to see them.)";
        }
        return "";
    }
}
