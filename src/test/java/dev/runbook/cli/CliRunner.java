package dev.runbook.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Runs {@code runbook} in-process ({@link Main#run}) in a working directory of its own, with
 * its output captured. Unless the environment given names a state directory (or a home), runs
 * are kept in {@code <dir>/.runbook}: a test never writes to the real home directory.
 */
final class CliRunner {

    /** What one command line did. */
    record Result(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    final Path dir;
    private final Map<String, String> env;

    CliRunner(Path dir, Map<String, String> env) {
        this.dir = dir;
        Map<String, String> withState = new java.util.HashMap<>(env);
        if (!env.containsKey("RUNBOOK_STATE_DIR") && !env.containsKey("XDG_STATE_HOME") && !env.containsKey("HOME")) {
            withState.put("RUNBOOK_STATE_DIR", dir.resolve(".runbook").toString());
        }
        this.env = Map.copyOf(withState);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Cli cli = new Cli(new PrintWriter(out, true), new PrintWriter(err, true),
                new BufferedReader(new StringReader("")), env, dir, false);
        int code = Main.run(cli, args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Copies a runbook from {@code src/test/resources/engine/} into the working directory. */
    Path copy(String name) {
        try (InputStream in = CliRunner.class.getResourceAsStream("/engine/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource /engine/" + name);
            }
            Path file = dir.resolve(name);
            Files.write(file, in.readAllBytes());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
