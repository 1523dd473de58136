package dev.runbook.testsupport;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepLog;
import dev.runbook.spi.Target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real (not mocked) StepContext for calling an action directly in a test: it records every
 * log line so tests can assert what the operator would have seen, e.g. that no secret leaked.
 */
public final class RecordingStepContext implements StepContext, StepLog {

    public final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    public final List<String> secrets = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, String> env = new HashMap<>(System.getenv());
    private final Path scratch;
    private Target target = Target.LOCAL;
    private Path runbookDir = Path.of(".").toAbsolutePath();
    private volatile boolean cancelled;

    public RecordingStepContext() {
        try {
            scratch = Files.createTempDirectory("runbook-test-scratch");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public RecordingStepContext env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public RecordingStepContext target(Target t) {
        this.target = t;
        return this;
    }

    public RecordingStepContext runbookDir(Path dir) {
        this.runbookDir = dir;
        return this;
    }

    public void cancel() {
        cancelled = true;
    }

    /** Everything logged, one string, for contains/doesNotContain assertions. */
    public String transcript() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override public String runId() { return "test-run"; }
    @Override public String stepId() { return "test-step"; }
    @Override public Instant runStarted() { return Instant.parse("2026-11-25T02:00:00Z"); }
    @Override public StepLog log() { return this; }
    @Override public Target target() { return target; }
    @Override public Path runbookDir() { return runbookDir; }
    @Override public Path scratchDir() { return scratch; }
    @Override public Map<String, String> env() { return env; }
    @Override public Duration remaining() { return null; }
    @Override public boolean cancelled() { return cancelled || Thread.currentThread().isInterrupted(); }
    @Override public void addSecret(String value) { secrets.add(value); }

    @Override public void info(String message) { lines.add("info: " + message); }
    @Override public void warn(String message) { lines.add("warn: " + message); }
    @Override public void output(String line) { lines.add("out: " + line); }
    @Override public void progress(String what, long done, long total) { lines.add("progress: " + what + " " + done + "/" + total); }
}
