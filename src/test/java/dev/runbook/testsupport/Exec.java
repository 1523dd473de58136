package dev.runbook.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs an external command with a timeout and captures its output.
 *
 * <p>Output goes to temporary files rather than pipes: daemons started by the command
 * (pg_ctl, dockerd, ...) may inherit the descriptors, and a pipe would then never reach
 * end-of-file.
 */
public final class Exec {

    private Exec() {
    }

    /** Exit code and captured output of a finished command. */
    public record Result(List<String> command, int exitCode, String stdout, String stderr) {

        public boolean ok() {
            return exitCode == 0;
        }

        /** Returns this result, or throws with the command's output when it failed. */
        public Result orThrow() {
            if (!ok()) {
                throw new IllegalStateException("command failed (exit " + exitCode + "): "
                        + String.join(" ", command) + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr);
            }
            return this;
        }
    }

    public static Result run(List<String> command) {
        return run(command, Map.of(), null, Duration.ofMinutes(2));
    }

    /**
     * @param env extra environment variables (added to this JVM's environment)
     * @param workDir working directory, or null for the JVM's
     */
    public static Result run(List<String> command, Map<String, String> env, Path workDir, Duration timeout) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("runbook-exec", ".out");
            err = Files.createTempFile("runbook-exec", ".err");
            ProcessBuilder pb = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            pb.environment().putAll(env);
            if (workDir != null) {
                pb.directory(workDir.toFile());
            }
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException("command timed out after " + timeout + ": " + String.join(" ", command));
            }
            return new Result(List.copyOf(command), p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + String.join(" ", command), e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // temp file; nothing useful to do
            }
        }
    }
}
