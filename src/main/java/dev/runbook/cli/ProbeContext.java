package dev.runbook.cli;

import dev.runbook.parse.ValidRunbook;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepLog;
import dev.runbook.spi.Target;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** The context of a read-only probe during {@code plan --refresh}: logs go to stderr, nothing is journaled. */
final class ProbeContext implements StepContext, StepLog {

    private final Cli cli;
    private final String stepId;
    private final Target target;
    private final ValidRunbook valid;
    private final dev.runbook.engine.SecretMasker masker = new dev.runbook.engine.SecretMasker();

    private final LazyScratchDir scratch;

    ProbeContext(Cli cli, String stepId, Target target, ValidRunbook valid, LazyScratchDir scratch) {
        this.scratch = scratch;
        this.cli = cli;
        this.stepId = stepId;
        this.target = target;
        this.valid = valid;
    }

    @Override public String runId() { return "(plan)"; }
    @Override public String stepId() { return stepId; }
    @Override public Instant runStarted() { return Instant.now(); }
    @Override public StepLog log() { return this; }
    @Override public Target target() { return target; }
    @Override public Path runbookDir() { return valid.runbook().file().getParent(); }
    @Override public Map<String, String> env() { return cli.env(); }
    @Override public Duration remaining() { return Duration.ofSeconds(30); }
    @Override public boolean cancelled() { return Thread.currentThread().isInterrupted(); }
    @Override public void addSecret(String value) { masker.add(value); }

    @Override
    public Path scratchDir() {
        return scratch.get();
    }

    @Override public void info(String message) { }
    @Override public void warn(String message) { cli.err().println("  ! probe " + stepId + ": " + masker.mask(message)); }
    @Override public void output(String line) { }
    @Override public void progress(String what, long done, long total) { }
}
