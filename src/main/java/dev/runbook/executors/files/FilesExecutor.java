package dev.runbook.executors.files;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.storage.Touched;

/**
 * Secret files and {@code .env} files: back them up to, and restore them from, a storage
 * location (S3 or a local directory) with SHA-256 checks; restored files are 0600 in 0700
 * directories, and their contents never appear in any log.
 */
public final class FilesExecutor implements Executor {

    private static final List<Action> ACTIONS = List.of(new RestoreAction(), new BackupAction());

    @Override
    public String name() {
        return "files";
    }

    @Override
    public String summary() {
        return "Back up and restore secret and .env files (checksummed, owner-only)";
    }

    @Override
    public List<Action> actions() {
        return ACTIONS;
    }

    @Override
    public List<String> touches(Action action, Params params, StepContext context) {
        return Touched.locations(params, context.runbookDir(), "from", "to");
    }
}
