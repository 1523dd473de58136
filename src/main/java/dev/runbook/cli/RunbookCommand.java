package dev.runbook.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The top-level command: prints help when called without a subcommand. */
@Command(name = "runbook", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Declarative, reviewable, resumable disaster-recovery runbooks.",
        footer = {"", "Exit codes: 0 ok, 1 a step failed, 2 invalid runbook/inputs/usage, 3 internal error,",
                "4 another run holds the lock, 5 approval needed, 6 the plan found a problem now, 130 interrupted.",
                "Runs and locks are kept in --state-dir, else $RUNBOOK_STATE_DIR, else $XDG_STATE_HOME/runbook,",
                "else ~/.local/state/runbook. A run is named by its id, a unique prefix of it, or `last`."})
final class RunbookCommand implements Runnable {

    private final Cli cli;

    @Spec
    CommandSpec spec;

    RunbookCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(cli.out());
    }
}
