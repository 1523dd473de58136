package dev.runbook.engine;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Expressions;
import dev.runbook.expr.Scope;
import dev.runbook.graph.StepGraph;
import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Precondition;
import dev.runbook.model.Step;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.BoundStep;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.plan.InputBinder;
import dev.runbook.spi.Secret;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Runs the steps of one section as a graph: starts every step whose dependencies have ended,
 * up to {@code maxParallel} at once, decides {@code if:}, applies retries, timeouts,
 * approvals and {@code continue-on-error}, and stops starting new steps after a failure
 * (unless their condition asks for {@code always()}/{@code failure()}). A step that calls
 * another runbook runs that runbook's sections here too, with its ids prefixed.
 */
final class SectionRunner {

    private final RunState run;
    private final Semaphore slots;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "runbook-step");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "runbook-timer");
        t.setDaemon(true);
        return t;
    });


    private final StepRecorder recorder;
    private final StepExecution execution;
    private final PreconditionGates gateChecks;

    SectionRunner(RunState run, int maxParallel) {
        this.run = run;
        this.slots = new Semaphore(maxParallel);
        this.recorder = new StepRecorder(run);
        this.execution = new StepExecution(run, timers, recorder);
        this.gateChecks = new PreconditionGates(run);
    }

    void shutdown() {
        threads.shutdownNow();
        timers.shutdownNow();
    }


    /**
     * @param preconditions checks that read step outputs: evaluated as soon as they can be;
     *                      until then only the steps they read (and their ancestors) may start
     */
    Outcome run(ValidRunbook valid, Section section, Scope scope, String prefix, List<Precondition> preconditions) {
        StepGraph graph = valid.graph(section);
        List<String> pending = new ArrayList<>(graph.steps());
        Set<String> running = new HashSet<>();
        Set<String> ended = new HashSet<>();
        LinkedBlockingQueue<StepDone> finished = new LinkedBlockingQueue<>();
        List<Precondition> gates = new ArrayList<>(preconditions);
        Outcome outcome = Outcome.SUCCEEDED;
        while (!pending.isEmpty() || !running.isEmpty()) {
            // steps reused from an earlier attempt (resume) or skipped end without passing the
            // queue below: decide the gates they complete here, or nothing may ever start again
            outcome = gateChecks.apply(valid, gates, scope, outcome);
            Set<String> allowed = PreconditionGates.allowedBeforeGates(valid, graph, gates, scope);
            boolean endedWithoutRunning = false; // reused or skipped: may unblock gates and dependants
            for (String id : new ArrayList<>(pending)) {
                if (!ended.containsAll(graph.dependenciesOf(id)) || (allowed != null && !allowed.contains(id))) {
                    continue;
                }
                BoundStep b = valid.steps().get(id);
                String fullId = prefix + id;
                Boolean go = decide(valid, b, section, scope, fullId);
                if (go == null) {
                    continue; // could not decide: recorded as failed inside decide()
                }
                if (!go) {
                    pending.remove(id);
                    ended.add(id);
                    recorder.record(fullId, Outcome.SKIPPED, Duration.ZERO, 0, skipReason(b, scope), false, false, Map.of(), false);
                    scope.stepFinished(id, "skipped", Map.of());
                    endedWithoutRunning = true;
                    continue;
                }
                RunHistory.StepRecord before = run.previous.get(fullId);
                // a step skipped last time (mostly: blocked by the failure being resumed) has no result to keep
                if (before != null && before.outcome().done() && before.outcome() != Outcome.SKIPPED
                        && !before.rerunOnResume() && !run.rerun.contains(fullId)
                        && section == Section.MAIN && b.action() != null) {
                    pending.remove(id);
                    ended.add(id);
                    recorder.reuse(fullId, before);
                    scope.stepFinished(id, before.outcome().label(), before.outputs());
                    endedWithoutRunning = true;
                    continue;
                }
                boolean isCall = b.action() == null;
                if (!isCall && !slots.tryAcquire()) {
                    break; // all slots busy: wait for one to end
                }
                pending.remove(id);
                running.add(id);
                threads.execute(() -> {
                    // whatever happens in the step, the scheduler must hear that it ended, or it waits forever
                    StepDone d = new StepDone(id, Outcome.FAILED, Map.of());
                    try {
                        d = isCall ? callRunbook(valid, b, scope, prefix) : execution.execute(valid, b, scope, fullId);
                    } catch (Throwable t) {
                        internalError(fullId, t);
                    } finally {
                        if (!isCall) {
                            slots.release();
                        }
                        finished.add(new StepDone(id, d.outcome(), d.outputs()));
                    }
                });
            }
            if (running.isEmpty()) {
                if (pending.isEmpty()) {
                    break;
                }
                if (endedWithoutRunning) {
                    continue; // look again: gates and dependants of those steps may be decidable now
                }
                if (progressImpossible(pending, ended, graph)) {
                    break;
                }
            }
            StepDone d = awaitNext(finished);
            if (d == null) {
                continue; // deadline reached: running steps were cancelled; go on collecting them
            }
            running.remove(d.id());
            ended.add(d.id());
            scope.stepFinished(d.id(), d.outcome().label(), d.outputs());
            outcome = Outcome.worst(outcome, d.outcome());
            if (d.outcome().failure()) {
                scope.status(new Expressions.RunStatus(true, run.cancelled));
            }
            outcome = gateChecks.apply(valid, gates, scope, outcome);
        }
        for (String id : pending) { // left over: blocked by a failure or a precondition
            recorder.record(prefix + id, Outcome.SKIPPED, Duration.ZERO, 0, "not started: an earlier step failed", false, false, Map.of(), false);
        }
        return outcome;
    }

    /** A bug, not a step failure: recorded as a failure, with the stack trace on stderr for the report. */
    private void internalError(String fullId, Throwable t) {
        t.printStackTrace();
        try {
            recorder.record(fullId, Outcome.FAILED, Duration.ZERO, 1, "internal error: " + t, false, false, Map.of(), false);
        } catch (RuntimeException second) {
            second.printStackTrace();
        }
    }

    private static boolean progressImpossible(List<String> pending, Set<String> ended, StepGraph graph) {
        return pending.stream().noneMatch(id -> ended.containsAll(graph.dependenciesOf(id)));
    }

    /** Waits for the next step to end; at the run's deadline, cancels what runs and returns null. */
    private StepDone awaitNext(LinkedBlockingQueue<StepDone> finished) {
        try {
            if (run.deadline == null || run.cancelled) {
                return finished.take();
            }
            long ms = Duration.between(Instant.now(), run.deadline).toMillis();
            StepDone d = ms > 0 ? finished.poll(ms, TimeUnit.MILLISECONDS) : finished.poll();
            if (d == null && !run.cancelled) {
                run.deadlineReached();
                return null;
            }
            return d;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            run.cancel("interrupted");
            return null;
        }
    }

    /**
     * Whether a step runs: its {@code if:}, under the section's default (main steps run only
     * while nothing has failed; on-failure and finally steps always). Null when the condition
     * itself is broken (the step is recorded as failed).
     */
    private Boolean decide(ValidRunbook valid, BoundStep b, Section section, Scope scope, String fullId) {
        Step step = b.step();
        Expressions.RunStatus status = scope.status();
        boolean mentionsStatus = step.condition() != null
                && step.condition().matches("(?s).*\\b(success|failure|always|cancelled)\\(\\).*");
        if (!mentionsStatus && section == Section.MAIN && (status.failed() || run.cancelled)) {
            return false;
        }
        if (step.condition() == null) {
            return true;
        }
        try {
            Boolean v = valid.evaluator().condition(step.condition(), scope);
            return Boolean.TRUE.equals(v);
        } catch (ExpressionException e) {
            recorder.record(fullId, Outcome.FAILED, Duration.ZERO, 0, "if: " + e.getMessage(), false, false, Map.of(), false);
            scope.status(new Expressions.RunStatus(true, run.cancelled));
            return false;
        }
    }

    private String skipReason(BoundStep b, Scope scope) {
        if (b.step().condition() == null || scope.status().failed() || run.cancelled) {
            return run.cancelled ? "not started: " + run.cancelReason : "not started: an earlier step failed";
        }
        return "if: " + b.step().condition() + " is false";
    }

    /** A step that calls another runbook: its inputs from {@code with:}, its sections run here. */
    private StepDone callRunbook(ValidRunbook caller, BoundStep b, Scope scope, String prefix) {
        Step step = b.step();
        String fullId = prefix + step.id();
        ValidRunbook called = b.called();
        Instant start = Instant.now();
        run.journal.append("step-started", Map.of("step", fullId, "attempt", 1, "of", 1, "uses", step.uses(),
                "description", "run " + step.uses()));
        run.listener.stepStarted(fullId, "run the steps of " + step.uses(), 1, 1);
        Map<String, Object> given = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object> e : step.with().entrySet()) {
                given.put(e.getKey(), caller.evaluator().resolve(e.getValue(), scope));
            }
        } catch (ExpressionException e) {
            recorder.record(fullId, Outcome.FAILED, Duration.ZERO, 1, "with: " + e.getMessage(), false, false, Map.of(), false);
            return new StepDone(step.id(), Outcome.FAILED, Map.of());
        }
        Map<String, Object> plain = new LinkedHashMap<>();
        given.forEach((k, v) -> plain.put(k, v instanceof Secret s ? s.reveal() : v));
        InputBinder.Bound bound = InputBinder.bind(called, plain, run.env, run.runId, run.started, run.target.kind());
        if (!bound.problems().isEmpty()) {
            recorder.record(fullId, Outcome.FAILED, Duration.ZERO, 1, bound.problems().get(0).format(), false, false, Map.of(), false);
            return new StepDone(step.id(), Outcome.FAILED, Map.of());
        }
        Map<String, String> childSecrets;
        try {
            childSecrets = Secrets.resolve(called.runbook(), run.env, run.masker);
        } catch (InvalidRunbookException e) {
            recorder.record(fullId, Outcome.FAILED, Duration.ZERO, 1, e.getMessage(), false, false, Map.of(), false);
            return new StepDone(step.id(), Outcome.FAILED, Map.of());
        }
        Scope child = new Scope(new LinkedHashMap<>(bound.values()), childSecrets, run.env, run.runId, run.started,
                run.target.kind());
        String childPrefix = fullId + "/";
        Outcome outcome = run(called, Section.MAIN, child, childPrefix, called.runbook().preconditions());
        if (outcome.failure() && !called.runbook().onFailure().isEmpty()) {
            child.status(new Expressions.RunStatus(true, run.cancelled));
            run(called, Section.ON_FAILURE, child, childPrefix, List.of());
        }
        if (!called.runbook().cleanup().isEmpty()) {
            child.status(new Expressions.RunStatus(outcome.failure(), run.cancelled));
            outcome = Outcome.worst(outcome, run(called, Section.FINALLY, child, childPrefix, List.of()));
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        String message = null;
        if (!outcome.failure()) {
            for (Map.Entry<String, String> e : called.runbook().outputs().entrySet()) {
                try {
                    outputs.put(e.getKey(), called.evaluator().resolve(e.getValue(), child));
                } catch (ExpressionException ex) {
                    outcome = Outcome.FAILED;
                    message = "output " + e.getKey() + ": " + ex.getMessage();
                }
            }
        } else {
            message = "runbook " + step.uses() + " failed";
        }
        if (outcome == Outcome.FAILED && step.continueOnError()) {
            outcome = Outcome.FAILED_IGNORED;
        }
        run.masker.addAll(outputs);
        recorder.record(fullId, outcome, Duration.between(start, Instant.now()), 1, message, false, false, outputs, false);
        return new StepDone(step.id(), outcome, outputs);
    }

}
