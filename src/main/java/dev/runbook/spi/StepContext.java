package dev.runbook.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** What the engine gives an action while it executes. */
public interface StepContext {

    String runId();

    String stepId();

    /** When the run started (UTC); also {@code run.started} in expressions. */
    Instant runStarted();

    StepLog log();

    /** The target the run was started against. */
    Target target();

    /** The directory of the runbook file; relative paths in parameters resolve against it. */
    Path runbookDir();

    /**
     * A private scratch directory for this run (mode 0700), for downloaded dumps and other
     * files that may hold sensitive data. The action deletes what it puts there.
     */
    Path scratchDir();

    /** The process environment as the run sees it (for PG*, AWS_*, DOCKER_HOST conventions). */
    Map<String, String> env();

    /** How long the step may still run before its timeout, or null when it has none. */
    Duration remaining();

    /**
     * True once the step has been cancelled (timeout, deadline, Ctrl-C). The engine also
     * interrupts the step's thread; long loops check this and blocking waits should be
     * interruptible.
     */
    boolean cancelled();

    /**
     * Registers a value that must be masked wherever the engine prints or records text
     * (e.g. a password read from a file at run time).
     */
    void addSecret(String value);

    /**
     * Keeps a resource open until the run ends (a port-forward that later steps use), then
     * closes it. Contexts without a run (tests, plan probes) close nothing here; the resource's
     * own safety net (e.g. a shutdown hook) applies.
     */
    default void closeAtRunEnd(AutoCloseable resource) {
    }
}
