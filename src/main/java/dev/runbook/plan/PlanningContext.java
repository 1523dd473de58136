package dev.runbook.plan;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepLog;
import dev.runbook.spi.Target;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The context an executor sees while the plan asks what a step will touch: the target, the
 * environment and the runbook's directory, to read local configuration (a kubeconfig) — and
 * nothing that could change the world: no scratch directory, no secrets, logs dropped.
 */
final class PlanningContext implements StepContext, StepLog {

    private final String stepId;
    private final Target target;
    private final Path runbookDir;
    private final Map<String, String> env;

    PlanningContext(String stepId, Target target, Path runbookDir, Map<String, String> env) {
        this.stepId = stepId;
        this.target = target;
        this.runbookDir = runbookDir;
        this.env = env;
    }

    @Override public String runId() { return "(planned)"; }
    @Override public String stepId() { return stepId; }
    @Override public Instant runStarted() { return Instant.now(); }
    @Override public StepLog log() { return this; }
    @Override public Target target() { return target; }
    @Override public Path runbookDir() { return runbookDir; }
    @Override public Map<String, String> env() { return env; }
    @Override public Duration remaining() { return Duration.ZERO; }
    @Override public boolean cancelled() { return false; }
    @Override public void addSecret(String value) { }

    @Override
    public Path scratchDir() {
        throw new UnsupportedOperationException("planning writes no files");
    }

    @Override public void info(String message) { }
    @Override public void warn(String message) { }
    @Override public void output(String line) { }
    @Override public void progress(String what, long done, long total) { }
}
