package dev.runbook.engine;

import dev.runbook.spi.PrivateFiles;
import dev.runbook.spi.Target;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;

/** Everything one run (or one resume of it) shares across its steps. */
final class RunState {

    final String runId;
    final Path runDir;
    final Instant started;
    final Target target;
    final Map<String, String> env;
    final SecretMasker masker;
    final Journal journal;
    final RunListener listener;
    final Approver approver;
    final Instant deadline; // of the whole run, or null
    /** how long on-failure and finally may still run once the run is cancelled */
    final java.time.Duration grace;
    /** the deadline, the grace period and step timeouts: one timer thread per invocation */
    final java.util.concurrent.ScheduledExecutorService timers = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runbook-timer");
        t.setDaemon(true);
        return t;
    });
    /** results of earlier invocations (resume): step id → what was recorded */
    final Map<String, RunHistory.StepRecord> previous;
    final java.util.Set<String> rerun;
    /** in the order steps ended */
    final Map<String, RunResult.StepResult> results = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** the runbook's outputs, masked, once it succeeded */
    final Map<String, Object> outputs = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** step id (as journaled) → its {@code name:} label, for the journal's step events */
    final Map<String, String> stepNames = new java.util.concurrent.ConcurrentHashMap<>();
    /** resources steps keep open for later steps (port-forwards), closed when the invocation ends */
    final java.util.List<AutoCloseable> closeAtEnd = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean cancelled;
    volatile String cancelReason;

    RunState(String runId, Path runDir, Instant started, Target target, Map<String, String> env, SecretMasker masker,
             Journal journal, RunListener listener, Approver approver, Instant deadline, java.time.Duration grace,
             Map<String, RunHistory.StepRecord> previous, java.util.Set<String> rerun) {
        this.runId = runId;
        this.runDir = runDir;
        this.started = started;
        this.target = target;
        this.env = env;
        this.masker = masker;
        this.journal = journal;
        this.listener = listener;
        this.approver = approver;
        this.deadline = deadline;
        this.grace = grace;
        this.previous = previous;
        this.rerun = rerun;
    }

    /** Where invocations of this run bind their inputs (called runbooks included). */
    dev.runbook.plan.Invocation.Context context() {
        return new dev.runbook.plan.Invocation.Context(env, runId, started, target);
    }

    /** The run's private scratch directory (0700), made on first use. */
    synchronized Path scratchDir() {
        Path dir = runDir.resolve("scratch");
        try {
            PrivateFiles.createDirectories(dir);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the run's scratch directory " + dir, e);
        }
        return dir;
    }

    /** threads running a step attempt or waiting for its approval → whether the step is cleanup (on-failure, finally) */
    final Map<Thread, Boolean> working = new java.util.concurrent.ConcurrentHashMap<>();
    /** counted down once the invocation has written run-finished */
    final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);
    /** set when the grace period ran out or was skipped: cleanup steps stop too */
    volatile boolean graceOver;
    volatile String graceOverReason;

    /** The run's deadline passed: cancels the run (once, if nothing else cancelled it first). */
    synchronized void deadlineReached() {
        if (!cancelled) {
            journal.append("deadline-exceeded", Map.of());
            cancel("deadline exceeded: the runbook's recovery-time budget has run out");
        }
    }

    /**
     * Ctrl-C or SIGTERM ({@code signal} names it): the first cancels the main steps and starts
     * the grace period for on-failure and finally; a second one during the grace period stops
     * those too.
     */
    synchronized void interrupt(String signal) {
        if (!cancelled) {
            cancel("interrupted by " + signal);
        } else {
            endGrace("a second " + signal + " skipped the rest of the grace period");
        }
    }

    /** Stops the main steps; on-failure and finally still run, for at most the grace period. */
    synchronized void cancel(String reason) {
        if (cancelled) {
            return;
        }
        cancelReason = reason;
        cancelled = true;
        journal.append("run-cancelled", Map.of("reason", reason, "grace_ms", grace.toMillis()));
        listener.note(reason + "; stopping the main steps. on-failure and finally steps get up to "
                + dev.runbook.spi.Durations.literal(grace) + " (press Ctrl-C again to skip them)");
        timers.schedule(() -> endGrace("the grace period of " + dev.runbook.spi.Durations.literal(grace) + " ran out"),
                grace.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        working.forEach((thread, cleanup) -> {
            if (!cleanup) {
                thread.interrupt();
            }
        });
    }

    /** The grace period is over (ran out, or skipped): every step still running is stopped, nothing more starts. */
    synchronized void endGrace(String reason) {
        if (graceOver) {
            return;
        }
        graceOverReason = reason;
        graceOver = true;
        journal.append("grace-ended", Map.of("reason", reason));
        listener.note(reason + "; stopping what is left of on-failure and finally");
        working.keySet().forEach(Thread::interrupt);
    }

    /** Whether a step of this kind must stop (or not start) now. */
    boolean stops(boolean cleanup) {
        return cleanup ? graceOver : cancelled;
    }

    /** Why a step of this kind stops now. */
    String stopReason(boolean cleanup) {
        return cleanup ? graceOverReason : cancelReason;
    }

    /** Registers the current thread as working on a step; interrupts it at once if its kind already stops. */
    void working(boolean cleanup) {
        working.put(Thread.currentThread(), cleanup);
        if (stops(cleanup)) {
            Thread.currentThread().interrupt();
        }
    }

    void notWorking() {
        working.remove(Thread.currentThread());
    }
}
