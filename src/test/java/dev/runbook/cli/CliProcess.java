package dev.runbook.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code runbook ARGS} as a real child process (a JVM with this test's class path: main
 * classes, the test executor, libraries), optionally on a real pseudo-terminal through
 * util-linux {@code script}, so signals and prompts behave as they do for a person. Its
 * output is collected as it comes; input can be typed.
 */
final class CliProcess implements AutoCloseable {

    private final Process process;
    private final StringBuffer output = new StringBuffer();

    private CliProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(() -> {
            try (InputStream in = process.getInputStream()) {
                byte[] buf = new byte[4096];
                int n;
                while ((n = in.read(buf)) > 0) {
                    output.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "cli-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code runbook ARGS} in {@code dir} with {@code env} added; on a pseudo-terminal when {@code pty}. */
    static CliProcess start(Path dir, Map<String, String> env, boolean pty, String... args) throws IOException {
        // env resets INT and TERM to their defaults: a test run started in the background (CI, nohup)
        // inherits them ignored, and a JVM keeps an ignored SIGINT ignored, so Ctrl-C would never arrive
        List<String> java = new ArrayList<>(List.of(
                "env", "--default-signal=INT,TERM",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "dev.runbook.cli.Main"));
        java.addAll(List.of(args));
        List<String> command = java;
        if (pty) {
            // script runs its command through a shell: every argument is single-quoted
            StringBuilder line = new StringBuilder("exec");
            for (String a : java) {
                line.append(" '").append(a.replace("'", "'\\''")).append('\'');
            }
            command = List.of("script", "-qefc", line.toString(), "/dev/null");
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        return new CliProcess(pb.start());
    }

    /** What it printed so far. */
    String output() {
        return output.toString();
    }

    long pid() {
        return process.pid();
    }

    /** Types text (on a pseudo-terminal, "\u0003" is Ctrl-C). */
    void type(String text) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write(text.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Sends a real signal to the process, e.g. "INT". */
    void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new AssertionError("kill -" + name + " failed");
        }
    }

    /** Waits until the output contains {@code text}. */
    void awaitOutput(String text, long seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!output().contains(text)) {
            if (System.nanoTime() > until || !process.isAlive()) {
                Thread.sleep(200); // the last output
                throw new AssertionError("no '" + text + "' in the output (alive: " + process.isAlive() + "):\n" + output());
            }
            Thread.sleep(20);
        }
    }

    /** Waits for the end; returns the exit code. */
    int await(long seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("runbook did not end within " + seconds + " s:\n" + output());
        }
        Thread.sleep(100); // let the reader take the last output
        return process.exitValue();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
