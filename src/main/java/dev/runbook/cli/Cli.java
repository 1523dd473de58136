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

    /**
     * The state directory, where runs and locks are kept: {@code --state-dir}, else
     * $RUNBOOK_STATE_DIR, else $XDG_STATE_HOME/runbook, else ~/.local/state/runbook. Per user,
     * not per working directory, so every shell of this user finds the same runs and locks.
     */
    public Path stateDir(Path option) {
        if (option != null) {
            return resolve(option); // relative to the working directory, like the other file arguments
        }
        String fromEnv = env.get("RUNBOOK_STATE_DIR");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return resolve(Path.of(fromEnv));
        }
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && Path.of(xdg).isAbsolute()) { // the XDG spec: a relative value is ignored
            return Path.of(xdg).resolve("runbook").normalize();
        }
        String home = env.get("HOME");
        Path base = home != null && Path.of(home).isAbsolute() ? Path.of(home) : Path.of(System.getProperty("user.home"));
        return base.resolve(".local/state/runbook").normalize();
    }

    public Path resolve(Path file) {
        return workDir.resolve(file).normalize();
    }
}
