package dev.runbook.engine;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Problem;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.plan.InputBinder;
import dev.runbook.plan.Invocation;
import dev.runbook.plan.Planner;
import dev.runbook.spi.PrivateFiles;
import dev.runbook.spi.Target;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a validated runbook: takes the lock, opens the journal, resolves secrets, runs the
 * main steps, then {@code on-failure} (if they failed) and {@code finally}, and records every
 * transition durably. {@link #resume} continues a failed or interrupted run from its journal.
 * The engine knows no executor by name: it only calls the SPI.
 */
public final class Engine {

    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", java.util.Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Path stateDir;
    private final Map<String, String> env;
    private final RunListener listener;
    private final Approver approver;
    private final int maxParallel;

    /**
     * @param stateDir    where runs and locks live (the per-user state directory by default)
     * @param maxParallel how many steps may run at once
     */
    public Engine(Path stateDir, Map<String, String> env, RunListener listener, Approver approver, int maxParallel) {
        this.stateDir = stateDir;
        this.env = env;
        this.listener = listener;
        this.approver = approver;
        this.maxParallel = Math.max(1, maxParallel);
    }

    /** Starts a new run. */
    public RunResult run(ValidRunbook valid, Map<String, Object> givenInputs, Target target)
            throws InvalidRunbookException, RunLock.HeldException, IOException {
        Instant started = Instant.now();
        String runId = RUN_ID_TIME.format(started) + "-" + valid.runbook().name() + "-"
                + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(2));
        InputBinder.Bound bound = InputBinder.bind(valid, givenInputs, env, runId, started, target.kind());
        if (!bound.problems().isEmpty()) {
            throw new InvalidRunbookException(bound.problems());
        }
        return invoke(valid, runId, started, bound.values(), target, Map.of(), Set.of(), false, InputCorrection.NONE);
    }

    /**
     * Continues a run: steps that succeeded are skipped with their recorded outputs; the failed
     * or interrupted ones run again, as does everything in {@code rerun} and downstream of it.
     * Secrets are resolved again; they were never stored.
     */
    public RunResult resume(ValidRunbook valid, RunHistory.RunSummary previous, Set<String> rerun)
            throws InvalidRunbookException, RunLock.HeldException, IOException {
        return resume(valid, previous, rerun, Map.of());
    }

    /**
     * As {@link #resume(ValidRunbook, RunHistory.RunSummary, Set)}, with some inputs corrected:
     * the steps whose resolved parameters change run again, with everything downstream of them
     * ({@link InputCorrection}); the change is journaled with the invocation.
     */
    public RunResult resume(ValidRunbook valid, RunHistory.RunSummary previous, Set<String> rerun,
                            Map<String, Object> correctedInputs)
            throws InvalidRunbookException, RunLock.HeldException, IOException {
        Set<String> again = new java.util.LinkedHashSet<>();
        for (String id : rerun) {
            if (!valid.steps().containsKey(id)) {
                throw new InvalidRunbookException(List.of(Problem.at(valid.runbook().location(),
                        "--rerun " + id + ": no such step in " + valid.runbook().name())));
            }
            again.addAll(valid.main().steps().contains(id) ? valid.main().downstreamOf(id) : Set.of(id));
        }
        Target target = new Target(previous.target(), valid.runbook().target().settings()
                .getOrDefault(previous.target(), Map.of()));
        Instant started = Instant.parse(previous.started());
        InputBinder.Bound bound = InputBinder.bind(valid, previous.inputs(), env, previous.runId(), started, target.kind());
        if (!bound.problems().isEmpty()) {
            throw new InvalidRunbookException(bound.problems());
        }
        InputCorrection correction = InputCorrection.NONE;
        if (!correctedInputs.isEmpty()) {
            Map<String, Object> given = new LinkedHashMap<>(previous.inputs());
            given.putAll(correctedInputs);
            InputBinder.Bound corrected = InputBinder.bind(valid, given, env, previous.runId(), started, target.kind());
            if (!corrected.problems().isEmpty()) {
                throw new InvalidRunbookException(corrected.problems());
            }
            correction = InputCorrection.of(valid, bound.values(), corrected.values(), env, previous.runId(), started,
                    target.kind(), previous.steps().keySet());
            again.addAll(correction.rerun());
            bound = corrected;
        }
        return invoke(valid, previous.runId(), started, bound.values(), target, previous.steps(), again, true, correction);
    }

    /** The run this engine is running now, for {@link #interrupt}; null between runs. */
    private volatile RunState current;

    /**
     * Ctrl-C or SIGTERM, from the CLI's signal handler: the first cancels the main steps and
     * starts the grace period for on-failure and finally; a second skips what is left of it.
     *
     * @param signal what arrived, as the person knows it ("Ctrl-C (SIGINT)")
     * @return false when no run is in progress (the caller exits at once)
     */
    public boolean interrupt(String signal) {
        RunState run = current;
        if (run == null || run.finished.getCount() == 0) {
            return false;
        }
        run.interrupt(signal);
        return true;
    }

    private RunResult invoke(ValidRunbook valid, String runId, Instant started, Map<String, Object> inputs, Target target,
                             Map<String, RunHistory.StepRecord> previous, Set<String> rerun, boolean resumed,
                             InputCorrection correction)
            throws InvalidRunbookException, RunLock.HeldException, IOException {
        SecretMasker masker = new SecretMasker();
        Map<String, String> secrets = Secrets.resolve(valid.runbook(), env, masker); // before anything is written
        Path runDir = stateDir.resolve("runs").resolve(runId);
        RunLock.Key lockKey = RunLock.Key.of(valid.runbook().name(), valid.runbook().file(), target.kind());
        Instant invocationStart = Instant.now();
        // the run directory is made only once the lock is held: a refused run leaves nothing behind
        try (RunLock lock = RunLock.acquire(stateDir.resolve("locks"), lockKey, RunLock.holder(runId, env));
             Journal journal = Journal.open(PrivateFiles.createDirectories(runDir), masker)) {
            Instant deadline = valid.runbook().deadline() == null ? null : invocationStart.plus(valid.runbook().deadline());
            RunState run = new RunState(runId, runDir, started, target, env, masker, journal, listener, approver, deadline,
                    valid.runbook().gracePeriod(), previous, rerun);
            Map<String, Object> startFields = new LinkedHashMap<>();
            startFields.put("run", runId);
            startFields.put("runbook", valid.runbook().name());
            startFields.put("file", valid.runbook().file().toString());
            startFields.put("runbook_id", lockKey.identity());
            startFields.put("source_sha256", Planner.sourceHash(valid));
            startFields.put("inputs", inputs);
            startFields.put("target", target.kind());
            startFields.put("resumed", resumed);
            startFields.put("rerun", List.copyOf(rerun));
            if (!correction.changed().isEmpty()) {
                startFields.put("inputs_changed", correction.changed());
            }
            startFields.put("pid", ProcessHandle.current().pid());
            startFields.put("grace_ms", run.grace.toMillis());
            if (deadline != null) {
                startFields.put("deadline", deadline.toString()); // for the run report's timeline
            }
            journal.append("run-started", startFields);
            listener.runStarted(runId, valid.runbook().name(), target.kind(), resumed);
            if (!correction.changed().isEmpty()) {
                listener.note("corrected input(s) " + String.join(", ", correction.changed().keySet()) + ": "
                        + (correction.rerun().isEmpty() ? "no step reads them" : "run again: " + String.join(", ", correction.rerun())));
            }
            if (deadline != null) {
                run.timers.schedule(run::deadlineReached, Math.max(0, Duration.between(Instant.now(), deadline).toMillis()),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            current = run;
            // the CLI handles Ctrl-C and SIGTERM itself (see interrupt); this hook covers the other
            // ways a JVM is asked to stop (SIGHUP, System.exit elsewhere): same path, bounded wait
            Thread hook = new Thread(() -> {
                run.interrupt("request to stop the process");
                try {
                    run.finished.await(run.grace.toMillis() + 10_000, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            Lifecycle lifecycle = new Lifecycle(run, maxParallel);
            try {
                Invocation top = Invocation.of(valid, inputs, secrets, run.context(), "");
                Lifecycle.Result ended = lifecycle.run(top);
                Outcome outcome = ended.outcome();
                if (run.cancelled && outcome != Outcome.SUCCEEDED) {
                    outcome = Outcome.worst(outcome, Outcome.CANCELLED);
                }
                String message = run.cancelled ? run.cancelReason + (run.graceOver ? "; " + run.graceOverReason : "")
                        : ended.message() != null ? ended.message() : summary(run, outcome);
                if (!outcome.failure()) {
                    ended.outputs().forEach((k, v) -> run.outputs.put(k, masker.redact(v)));
                }
                Duration took = Duration.between(invocationStart, Instant.now());
                journal.append("run-finished", Map.of("outcome", outcome.label(), "message", message,
                        "duration_ms", took.toMillis(), "outputs", run.outputs));
                List<RunResult.StepResult> steps;
                synchronized (run.results) {
                    steps = new ArrayList<>(run.results.values());
                }
                RunResult result = new RunResult(runId, valid.runbook().name(), outcome, masker.mask(message), took, steps,
                        run.outputs);
                listener.runFinished(result);
                return result;
            } finally {
                run.finished.countDown();
                current = null;
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: nothing to remove
                }
                lifecycle.shutdown();
                run.timers.shutdownNow();
                for (AutoCloseable r : run.closeAtEnd) {
                    try {
                        r.close();
                    } catch (Exception e) {
                        listener.note("could not close " + r + ": " + e.getMessage());
                    }
                }
                PrivateFiles.deleteTree(run.runDir.resolve("scratch"));
            }
        }
    }

    private static String summary(RunState run, Outcome outcome) {
        long failed = run.results.values().stream().filter(r -> r.outcome().failure()).count();
        return switch (outcome) {
            case SUCCEEDED, SKIPPED, FAILED_IGNORED -> "all steps done";
            default -> failed + " step(s) failed: " + String.join(", ", run.results.values().stream()
                    .filter(r -> r.outcome().failure()).map(RunResult.StepResult::id).sorted().toList());
        };
    }
}
