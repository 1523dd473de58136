package dev.runbook.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a command may touch of the outside world, injected so tests can run the CLI in-process
 * with their own streams and environment (no static state).
 *
 * @param terminal whether stdout is an interactive terminal (live progress, prompts)
 */
public record Cli(PrintWriter out, PrintWriter err, BufferedReader in, Map<String, String> env, Path workDir,
                  boolean terminal) {

    /** The state directory: {@code --state-dir}, else $RUNBOOK_STATE_DIR, else ./.runbook */
    public Path stateDir(Path option) {
        if (option != null) {
            return resolve(option); // relative to the working directory, like the other file arguments
        }
        String fromEnv = env.get("RUNBOOK_STATE_DIR");
        return fromEnv != null && !fromEnv.isBlank() ? resolve(Path.of(fromEnv)) : workDir.resolve(".runbook");
    }

    public Path resolve(Path file) {
        return workDir.resolve(file).normalize();
    }
}
