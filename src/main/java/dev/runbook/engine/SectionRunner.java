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
import dev.runbook.plan.Invocation;
import dev.runbook.spi.Secret;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.stream.Collectors;

/**
 * Runs the steps of one section as a graph: computes the startable set (dependencies ended,
 * not held back by an undecided precondition), starts those up to {@code maxParallel} at
 * once, decides {@code if:}, and stops starting main steps after a failure or a cancellation
 * (unless their condition asks for {@code always()}/{@code failure()}). When nothing can
 * start and nothing runs, every step left ends as blocked, naming what it waits for: no
 * runbook can make a run wait forever. A step that calls another runbook runs that
 * runbook's {@link Lifecycle} here, with its ids prefixed.
 */
final class SectionRunner {

    private final RunState run;
    private final Semaphore slots;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "runbook-step");
        t.setDaemon(true);
        return t;
    });
    private final StepRecorder recorder;
    private final StepExecution execution;
    private final PreconditionGates gateChecks;
    private final Lifecycle calls;

    SectionRunner(RunState run, int maxParallel, Lifecycle calls) {
        this.run = run;
        this.slots = new Semaphore(maxParallel);
        this.recorder = new StepRecorder(run);
        this.execution = new StepExecution(run, recorder);
        this.gateChecks = new PreconditionGates(run);
        this.calls = calls;
    }

    void shutdown() {
        threads.shutdownNow();
    }

    /** Ends every step of a section that will not run, with the reason. */
    void skipAll(Invocation inv, Section section, StepEnd skipped) {
        learnNames(inv, section);
        for (String id : inv.runbook().graph(section).steps()) {
            StepEnd end = recorder.record(inv.fullId(id), skipped);
            inv.scope().stepFinished(id, end.outcome().label(), Map.of());
        }
    }

    /**
     * @param preconditions checks that read step outputs: evaluated as soon as they can be;
     *                      until then only the steps they read (and their ancestors) may start
     * @param problems      where a failed precondition's message goes
     */
    Outcome run(Invocation inv, Section section, List<Precondition> preconditions, List<String> problems) {
        learnNames(inv, section);
        ValidRunbook valid = inv.runbook();
        Scope scope = inv.scope();
        StepGraph graph = valid.graph(section);
        Set<String> pending = new LinkedHashSet<>(graph.steps());
        Set<String> running = new HashSet<>();
        Set<String> ended = new HashSet<>();
        LinkedBlockingQueue<StepDone> finished = new LinkedBlockingQueue<>();
        List<Precondition> gates = new ArrayList<>(preconditions);
        Outcome outcome = Outcome.SUCCEEDED;
        while (true) {
            String gateFailure = gateChecks.apply(valid, gates, scope);
            if (gateFailure != null) {
                problems.add(gateFailure);
                outcome = Outcome.worst(outcome, Outcome.FAILED);
            }
            List<String> startable = startable(valid, graph, pending, ended, gates, scope);
            // steps that end here without running (skipped, reused, refused by their if:) may make
            // others startable or decide a gate: look again before waiting
            boolean endedHere = false;
            for (String id : startable) {
                BoundStep b = valid.steps().get(id);
                String fullId = inv.fullId(id);
                StepEnd now = endsWithoutRunning(inv, b, section, fullId);
                if (now != null) {
                    pending.remove(id);
                    ended.add(id);
                    outcome = ended(scope, id, now, outcome);
                    endedHere = true;
                    continue;
                }
                boolean isCall = b.action() == null;
                if (!isCall && !takeSlot(running.isEmpty())) {
                    break; // all slots busy: wait for one of this section's steps to end
                }
                pending.remove(id);
                running.add(id);
                threads.execute(() -> {
                    // whatever happens in the step, the scheduler must hear that it ended
                    StepEnd end = null;
                    try {
                        end = isCall ? callRunbook(inv, b, fullId) : execution.execute(valid, b, scope, fullId);
                    } catch (Throwable t) {
                        end = internalError(fullId, t);
                    } finally {
                        if (!isCall) {
                            slots.release();
                        }
                        finished.add(new StepDone(id, end != null ? end
                                : StepEnd.failed("internal error: the step ended without a result", Duration.ZERO, 0, false)));
                    }
                });
            }
            if (endedHere) {
                continue;
            }
            if (running.isEmpty()) {
                if (pending.isEmpty()) {
                    return outcome;
                }
                // nothing runs and nothing can start: what is left waits for something that cannot happen
                return Outcome.worst(outcome, block(inv, graph, pending, ended, gates));
            }
            StepDone d = next(finished); // something runs, and every running step ends by posting here
            running.remove(d.id());
            ended.add(d.id());
            outcome = ended(scope, d.id(), d.end(), outcome);
        }
    }

    /**
     * One of the {@code --max-parallel} slots, shared by the whole run. When every slot is busy
     * and this section runs nothing itself, they are held by steps of another invocation (the
     * caller of this runbook, or a sibling call): those are executor steps, which end on their
     * own, so this waits for one rather than take "nothing runs" for "nothing can run".
     *
     * @return false when every slot is busy and {@code mayWait} is false
     */
    private boolean takeSlot(boolean mayWait) {
        if (slots.tryAcquire()) {
            return true;
        }
        while (mayWait) {
            try {
                slots.acquire();
                return true;
            } catch (InterruptedException e) {
                run.interrupt("thread interrupt"); // as in next(): the holders end as cancelled and free their slots
            }
        }
        return false;
    }

    /** The {@code name:} labels of a section's steps, for the journal's step events. */
    private void learnNames(Invocation inv, Section section) {
        for (String id : inv.runbook().graph(section).steps()) {
            String name = inv.runbook().steps().get(id).step().name();
            if (name != null) {
                run.stepNames.put(inv.fullId(id), name);
            }
        }
    }

    /** Pending steps whose dependencies have all ended and that no undecided precondition holds back. */
    private static List<String> startable(ValidRunbook valid, StepGraph graph, Set<String> pending, Set<String> ended,
                                          List<Precondition> gates, Scope scope) {
        Set<String> allowed = PreconditionGates.allowedBeforeGates(valid, graph, gates, scope);
        List<String> out = new ArrayList<>();
        for (String id : pending) {
            if (ended.containsAll(graph.dependenciesOf(id)) && (allowed == null || allowed.contains(id))) {
                out.add(id);
            }
        }
        return out;
    }

    private Outcome ended(Scope scope, String id, StepEnd end, Outcome outcome) {
        scope.stepFinished(id, end.outcome().label(), end.outputs());
        if (end.outcome().failure()) {
            scope.status(scope.status().failedBecause("step '" + id + "' " + end.outcome().label(), run.cancelled));
        }
        return Outcome.worst(outcome, end.outcome());
    }

    /** Ends every step left as blocked, each naming what it waits for. */
    private Outcome block(Invocation inv, StepGraph graph, Set<String> pending, Set<String> ended, List<Precondition> gates) {
        String gateText = gates.stream().map(p -> {
            Set<String> reads = PreconditionGates.readsSteps(inv.runbook(), p);
            Set<String> outside = reads.stream().filter(r -> !graph.steps().contains(r)).collect(Collectors.toCollection(LinkedHashSet::new));
            return "the precondition `" + p.check() + "`" + (outside.isEmpty() ? ""
                    : " (it reads " + String.join(", ", outside) + ", which cannot run before it)");
        }).collect(Collectors.joining("; "));
        for (String id : pending) {
            List<String> waits = graph.dependenciesOf(id).stream().filter(d -> !ended.contains(d)).toList();
            String message = !waits.isEmpty()
                    ? "blocked: waits for " + String.join(", ", waits.stream().map(inv::fullId).toList()) + ", which could not start"
                    : "blocked: waits for " + (gateText.isEmpty() ? "a step that cannot run" : gateText);
            StepEnd end = recorder.record(inv.fullId(id), StepEnd.blocked(message));
            inv.scope().stepFinished(id, end.outcome().label(), Map.of());
        }
        return Outcome.BLOCKED;
    }

    private StepDone next(LinkedBlockingQueue<StepDone> finished) {
        while (true) {
            try {
                return finished.take();
            } catch (InterruptedException e) {
                run.interrupt("thread interrupt"); // the steps end as cancelled and post here: keep collecting
            }
        }
    }

    /**
     * How a step ends without running, recorded: skipped (its {@code if:}, an earlier failure, a
     * cancellation), failed (a broken {@code if:}), kept from an earlier attempt (resume). Null
     * when it is to run.
     */
    private StepEnd endsWithoutRunning(Invocation inv, BoundStep b, Section section, String fullId) {
        boolean cleanup = section != Section.MAIN;
        if (cleanup && run.graceOver) {
            return recorder.record(fullId, StepEnd.notStarted(run.graceOverReason));
        }
        StepEnd decided = decide(inv, b, section);
        if (decided != null) {
            return recorder.record(fullId, decided);
        }
        RunHistory.StepRecord before = run.previous.get(fullId);
        // a step skipped last time (mostly: blocked by the failure being resumed) has no result to keep
        if (before != null && before.outcome().done() && before.outcome() != Outcome.SKIPPED
                && !before.rerunOnResume() && !run.rerun.contains(fullId)
                && section == Section.MAIN && b.action() != null) {
            return recorder.reuse(fullId, before);
        }
        return null;
    }

    /** A bug, not a step failure: recorded as a failure, with the stack trace on stderr for the report. */
    private StepEnd internalError(String fullId, Throwable t) {
        t.printStackTrace();
        StepEnd end = StepEnd.failed("internal error: " + t, Duration.ZERO, 1, false);
        try {
            return recorder.record(fullId, end);
        } catch (RuntimeException second) {
            second.printStackTrace();
            return end;
        }
    }

    /**
     * Whether a step runs: its {@code if:}, under the section's default (main steps run only
     * while nothing has failed and the run is not cancelled; on-failure and finally steps
     * always). Null when it runs; otherwise how it ends (skipped, or failed: a broken condition).
     */
    private StepEnd decide(Invocation inv, BoundStep b, Section section) {
        Step step = b.step();
        Scope scope = inv.scope();
        Expressions.RunStatus status = scope.status();
        boolean mentionsStatus = step.condition() != null
                && step.condition().matches("(?s).*\\b(success|failure|always|cancelled)\\(\\).*");
        if (!mentionsStatus && section == Section.MAIN && run.cancelled) {
            // not done: a resume runs it, and `runbook runs` does not count it
            return StepEnd.cancelled(StepEnd.NOT_STARTED + run.cancelReason, Duration.ZERO, 0);
        }
        if (!mentionsStatus && section == Section.MAIN && status.failed()) {
            return StepEnd.notStarted(status.why() != null ? status.why() : "an earlier step failed");
        }
        if (step.condition() == null) {
            return null;
        }
        try {
            Boolean v = inv.runbook().evaluator().condition(step.condition(), scope);
            return Boolean.TRUE.equals(v) ? null : StepEnd.skipped("if: " + step.condition() + " is false");
        } catch (ExpressionException e) {
            return StepEnd.failed("if: " + e.getMessage(), Duration.ZERO, 0, false);
        }
    }

    /** A step that calls another runbook: its inputs from {@code with:}, its lifecycle run here. */
    private StepEnd callRunbook(Invocation caller, BoundStep b, String fullId) {
        Step step = b.step();
        ValidRunbook called = b.called();
        Instant start = Instant.now();
        Map<String, Object> started = recorder.named(fullId);
        started.putAll(Map.of("attempt", 1, "of", 1, "uses", step.uses(), "description", "run " + step.uses()));
        run.journal.append("step-started", start, started);
        run.listener.stepStarted(fullId, "run the steps of " + step.uses(), 1, 1);
        Map<String, Object> plain = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Object> e : step.with().entrySet()) {
                Object v = caller.runbook().evaluator().resolve(e.getValue(), caller.scope());
                plain.put(e.getKey(), v instanceof Secret s ? s.reveal() : v);
            }
        } catch (ExpressionException e) {
            return ended(fullId, start, took -> StepEnd.failed("with: " + e.getMessage(), took, 1, step.continueOnError()));
        }
        Map<String, String> childSecrets;
        try {
            childSecrets = Secrets.resolve(called.runbook(), run.env, run.masker);
        } catch (InvalidRunbookException e) {
            return ended(fullId, start, took -> StepEnd.failed(e.getMessage(), took, 1, step.continueOnError()));
        }
        Invocation.Bound bound = Invocation.bind(called, plain, childSecrets, run.context(), fullId + "/");
        if (!bound.problems().isEmpty()) {
            return ended(fullId, start, took -> StepEnd.failed(bound.problems().get(0).format(), took, 1,
                    step.continueOnError()));
        }
        Lifecycle.Result result = calls.run(bound.invocation());
        Outcome outcome = result.outcome();
        String message = !outcome.failure() ? null
                : "runbook " + step.uses() + " " + outcome.label() + (result.message() != null ? ": " + result.message() : "");
        if (outcome == Outcome.FAILED && step.continueOnError()) {
            outcome = Outcome.FAILED_IGNORED;
        }
        Map<String, Object> outputs = outcome.failure() ? Map.of() : result.outputs();
        run.masker.addAll(outputs);
        Outcome how = outcome;
        return ended(fullId, start, took -> StepEnd.of(how, took, message, outputs));
    }

    /** Records a step that started at {@code start} and ends now: its duration and its bar are one span. */
    private StepEnd ended(String fullId, Instant start, java.util.function.Function<Duration, StepEnd> end) {
        Instant now = Instant.now();
        return recorder.record(fullId, end.apply(Duration.between(start, now)), now);
    }
}
