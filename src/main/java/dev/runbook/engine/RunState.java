package dev.runbook.engine;

import dev.runbook.spi.Target;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
    /** results of earlier invocations (resume): step id → what was recorded */
    final Map<String, RunHistory.StepRecord> previous;
    final java.util.Set<String> rerun;
    /** in the order steps ended */
    final Map<String, RunResult.StepResult> results = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** the runbook's outputs, masked, once it succeeded */
    final Map<String, Object> outputs = java.util.Collections.synchronizedMap(new java.util.LinkedHashMap<>());
    /** resources steps keep open for later steps (port-forwards), closed when the invocation ends */
    final java.util.List<AutoCloseable> closeAtEnd = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile boolean cancelled;
    volatile String cancelReason;

    RunState(String runId, Path runDir, Instant started, Target target, Map<String, String> env, SecretMasker masker,
             Journal journal, RunListener listener, Approver approver, Instant deadline,
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
        this.previous = previous;
        this.rerun = rerun;
    }

    /** The run's private scratch directory (0700), made on first use. */
    synchronized Path scratchDir() {
        Path dir = runDir.resolve("scratch");
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the run's scratch directory " + dir, e);
        }
        return dir;
    }

    /** threads running a step attempt right now: interrupted when the run is cancelled */
    final java.util.Set<Thread> working = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** counted down once the invocation has written run-finished */
    final java.util.concurrent.CountDownLatch finished = new java.util.concurrent.CountDownLatch(1);

    private final java.util.concurrent.atomic.AtomicBoolean deadlineNoted = new java.util.concurrent.atomic.AtomicBoolean();

    /** The run's deadline passed: cancels the run once, whichever thread (scheduler or step watchdog) sees it first. */
    void deadlineReached() {
        if (deadlineNoted.compareAndSet(false, true) && !cancelled) {
            cancel("deadline exceeded: the runbook's recovery-time budget has run out");
            listener.note(cancelReason);
            journal.append("deadline-exceeded", Map.of());
        }
    }

    void cancel(String reason) {
        if (!cancelled) {
            cancelReason = reason;
            cancelled = true;
        }
        working.forEach(Thread::interrupt);
    }
}
