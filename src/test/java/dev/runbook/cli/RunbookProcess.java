package dev.runbook.cli;

import dev.runbook.engine.Journal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code runbook} as a real child JVM with this test's class path (main classes, test executor, libraries). */
final class RunbookProcess {

    private RunbookProcess() {
    }

    /**
     * @param env added to the child's environment; RUNBOOK_STATE_DIR is dropped unless given here,
     *            so a test names its state directory (or HOME) and never writes to the real one
     */
    static ProcessBuilder in(Path workDir, Map<String, String> env, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.runbook.cli.Main"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().remove("RUNBOOK_STATE_DIR");
        pb.environment().remove("XDG_STATE_HOME");
        pb.environment().putAll(env);
        return pb;
    }

    /** Waits until a journal under {@code runs} says {@code step} started; returns that run's id. */
    static String awaitStarted(Path runs, String step, Process process) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                throw new AssertionError("runbook ended early (" + process.exitValue() + "): "
                        + new String(process.getInputStream().readAllBytes()));
            }
            if (Files.isDirectory(runs)) {
                try (var dirs = Files.list(runs)) {
                    for (Path r : dirs.toList()) {
                        if (Files.exists(r.resolve(Journal.FILE)) && Journal.read(r).stream()
                                .anyMatch(e -> "step-started".equals(e.get("event")) && step.equals(e.get("step")))) {
                            return r.getFileName().toString();
                        }
                    }
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("step " + step + " did not start within 60 s; class path: "
                + System.getProperty("java.class.path").split(File.pathSeparator).length + " entries");
    }
}
