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
 * its output captured; runs are kept in the default state directory {@code <dir>/.runbook}.
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
        this.env = env;
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
