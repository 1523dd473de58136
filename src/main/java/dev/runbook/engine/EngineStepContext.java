package dev.runbook.engine;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepLog;
import dev.runbook.spi.Target;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The context one step attempt runs with: logs go, masked, to the listener and the journal. */
final class EngineStepContext implements StepContext, StepLog {

    private final RunState run;
    private final String stepId;
    private final Path runbookDir;
    private final Instant deadline; // of this attempt (timeout), or null
    volatile boolean cancelled;
    /** an on-failure or finally step: it goes on after the run is cancelled, until the grace period ends */
    volatile boolean cleanup;
    /** set only by the step's own timeout, so the message can tell a timeout from a cancellation */
    volatile boolean timedOut;
    /** set when the step keeps something open for later steps (a port-forward) */
    volatile boolean keepsResources;
    private volatile long lastProgressJournal;

    EngineStepContext(RunState run, String stepId, Path runbookDir, Duration timeout) {
        this.run = run;
        this.stepId = stepId;
        this.runbookDir = runbookDir;
        this.deadline = timeout == null ? null : Instant.now().plus(timeout);
    }

    @Override public String runId() { return run.runId; }
    @Override public String stepId() { return stepId; }
    @Override public Instant runStarted() { return run.started; }
    @Override public StepLog log() { return this; }
    @Override public Target target() { return run.target; }
    @Override public Path runbookDir() { return runbookDir; }
    @Override public Path scratchDir() { return run.scratchDir(); }
    @Override public Map<String, String> env() { return run.env; }

    @Override
    public Duration remaining() {
        return deadline == null ? null : Duration.between(Instant.now(), deadline);
    }

    @Override
    public boolean cancelled() {
        return cancelled || run.stops(cleanup) || Thread.currentThread().isInterrupted();
    }

    @Override
    public void addSecret(String value) {
        run.masker.add(value);
    }

    @Override
    public void closeAtRunEnd(AutoCloseable resource) {
        keepsResources = true;
        run.closeAtEnd.add(resource);
    }

    @Override
    public void info(String message) {
        line("info", message);
    }

    @Override
    public void warn(String message) {
        line("warn", message);
    }

    @Override
    public void output(String line) {
        line("output", line);
    }

    @Override
    public void progress(String what, long done, long total) {
        run.listener.stepProgress(stepId, run.masker.mask(what), done, total);
        long now = System.nanoTime();
        if (now - lastProgressJournal > 10_000_000_000L) { // the journal gets a line every 10 s, not every buffer
            lastProgressJournal = now;
            run.journal.append("step-progress", Map.of("step", stepId, "what", what, "done", done, "total", total));
        }
    }

    private void line(String level, String text) {
        String masked = run.masker.mask(text);
        run.listener.stepLog(stepId, level, masked);
        run.journal.append("step-log", Map.of("step", stepId, "level", level, "line", masked));
    }
}
