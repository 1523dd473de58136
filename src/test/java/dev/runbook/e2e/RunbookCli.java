package dev.runbook.e2e;

import dev.runbook.cli.Cli;
import dev.runbook.cli.Main;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real command line, run in-process: {@code Main.run(new Cli(...), args)} with this test's
 * own streams, working directory and environment (the JVM's environment is never read, so
 * PGHOST, AWS_* and BACKUP_BUCKET come only from {@link #env}).
 */
final class RunbookCli {

    /**
     * PGPASSWORD for the runs. The shared cluster trusts every TCP connection, so any password
     * works; this one is unique so that the engine's masking of it (it is a secret) cannot
     * hide ordinary words such as "postgres" in the output the tests read.
     */
    static final String E2E_PASSWORD = "e2e-pw-5b1f0c";

    private final Path workDir;
    private final Map<String, String> env = new LinkedHashMap<>();

    RunbookCli(Path workDir) {
        this.workDir = workDir;
        env.put("RUNBOOK_STATE_DIR", workDir.resolve(".runbook").toString()); // never the real home directory
    }

    /** One of the team's runbooks, by its absolute path in this checkout. */
    static String runbook(String name) {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir")));
        Path file = root.resolve("runbooks").resolve(name + ".yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("no runbook " + file);
        }
        return file.toString();
    }

    RunbookCli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    RunbookCli env(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    Map<String, String> env() {
        return env;
    }

    Path workDir() {
        return workDir;
    }

    /** Exit code and everything printed. */
    record Result(List<String> args, int exitCode, String out, String err) {

        String all() {
            return out + err;
        }

        /** A value from the run's "Outputs" block, e.g. {@code uri: s3://...}. */
        Optional<String> output(String name) {
            Matcher m = Pattern.compile("(?m)^  " + Pattern.quote(name) + ": (.*)$").matcher(out);
            String last = null;
            while (m.find()) {
                last = m.group(1).trim();
            }
            return Optional.ofNullable(last);
        }

        String requireOutput(String name) {
            return output(name).orElseThrow(() -> new AssertionError("no output '" + name + "' in:\n" + this));
        }

        /** The run id from "Run <id>: ..." at the end of a run. */
        String runId() {
            Matcher m = Pattern.compile("(?m)^Run (\\S+): ").matcher(out);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            if (last == null) {
                throw new AssertionError("no run id in:\n" + this);
            }
            return last;
        }

        @Override
        public String toString() {
            return "runbook " + String.join(" ", args) + " → exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Cli cli = new Cli(new PrintWriter(out, true), new PrintWriter(err, true),
                new BufferedReader(new StringReader("")), Map.copyOf(env), workDir, false);
        int code = Main.run(cli, args);
        return new Result(List.of(args), code, out.toString(), err.toString());
    }

    /** {@code runbook run FILE --input k=v ...}; inputs given as name, value pairs. */
    Result runbookRun(String runbook, String... inputs) {
        List<String> args = new ArrayList<>(List.of("run", runbook(runbook)));
        for (int i = 0; i < inputs.length; i += 2) {
            args.add("--input");
            args.add(inputs[i] + "=" + inputs[i + 1]);
        }
        return run(args.toArray(String[]::new));
    }

    /** {@code runbook show RUN_ID}: the journal as text. */
    String show(String runId) {
        Result r = run("show", runId);
        if (r.exitCode() != 0) {
            throw new AssertionError("show failed: " + r);
        }
        return r.out();
    }

    static Path tempDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
