package dev.runbook.engine;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Expressions;
import dev.runbook.expr.Scope;
import dev.runbook.graph.StepGraph;
import dev.runbook.model.Precondition;
import dev.runbook.model.Step;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.BoundStep;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.plan.InputBinder;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;

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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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

    SectionRunner(RunState run, int maxParallel) {
        this.run = run;
        this.slots = new Semaphore(maxParallel);
    }

    void shutdown() {
        threads.shutdownNow();
        timers.shutdownNow();
    }

    /** One finished step, handed from its thread to the scheduler. */
    private record Done(String id, Outcome outcome, Map<String, Object> outputs) {
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
        LinkedBlockingQueue<Done> finished = new LinkedBlockingQueue<>();
        List<Precondition> gates = new ArrayList<>(preconditions);
        Outcome outcome = Outcome.SUCCEEDED;
        while (!pending.isEmpty() || !running.isEmpty()) {
            // steps reused from an earlier attempt (resume) or skipped end without passing the
            // queue below: decide the gates they complete here, or nothing may ever start again
            outcome = applyGates(valid, gates, scope, outcome);
            Set<String> allowed = allowedBeforeGates(valid, graph, gates, scope);
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
                    record(fullId, Outcome.SKIPPED, Duration.ZERO, 0, skipReason(b, scope), false, false, Map.of(), false);
                    scope.stepFinished(id, "skipped", Map.of());
                    endedWithoutRunning = true;
                    continue;
                }
                RunHistory.StepRecord before = run.previous.get(fullId);
                if (before != null && before.outcome().done() && !before.secretOutputs() && !run.rerun.contains(fullId)
                        && section == Section.MAIN && b.action() != null) {
                    pending.remove(id);
                    ended.add(id);
                    reuse(fullId, before);
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
                threads.submit(() -> {
                    Done d;
                    try {
                        d = isCall ? callRunbook(valid, b, scope, prefix) : execute(valid, b, scope, fullId);
                    } catch (Throwable t) {
                        record(fullId, Outcome.FAILED, Duration.ZERO, 1, "internal error: " + t, false, false, Map.of(), false);
                        d = new Done(id, Outcome.FAILED, Map.of());
                    } finally {
                        if (!isCall) {
                            slots.release();
                        }
                    }
                    finished.add(new Done(id, d.outcome(), d.outputs()));
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
            Done d = awaitNext(finished);
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
            outcome = applyGates(valid, gates, scope, outcome);
        }
        for (String id : pending) { // left over: blocked by a failure or a precondition
            record(prefix + id, Outcome.SKIPPED, Duration.ZERO, 0, "not started: an earlier step failed", false, false, Map.of(), false);
        }
        return outcome;
    }

    private static boolean progressImpossible(List<String> pending, Set<String> ended, StepGraph graph) {
        return pending.stream().noneMatch(id -> ended.containsAll(graph.dependenciesOf(id)));
    }

    /** Waits for the next step to end; at the run's deadline, cancels what runs and returns null. */
    private Done awaitNext(LinkedBlockingQueue<Done> finished) {
        try {
            if (run.deadline == null || run.cancelled) {
                return finished.take();
            }
            long ms = Duration.between(Instant.now(), run.deadline).toMillis();
            Done d = ms > 0 ? finished.poll(ms, TimeUnit.MILLISECONDS) : finished.poll();
            if (d == null && !run.cancelled) {
                run.cancel("deadline exceeded: the runbook's recovery-time budget has run out");
                run.listener.note(run.cancelReason);
                run.journal.append("deadline-exceeded", Map.of());
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
            record(fullId, Outcome.FAILED, Duration.ZERO, 0, "if: " + e.getMessage(), false, false, Map.of(), false);
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

    private Done execute(ValidRunbook valid, BoundStep b, Scope scope, String fullId) {
        Step step = b.step();
        Instant start = Instant.now();
        Params params;
        try {
            params = Params.of(resolveParams(valid, b, scope));
        } catch (ExpressionException e) {
            String message = "with: " + e.getMessage();
            record(fullId, Outcome.FAILED, Duration.ZERO, 0, message, false, false, Map.of(), step.continueOnError());
            return new Done(step.id(), step.continueOnError() ? Outcome.FAILED_IGNORED : Outcome.FAILED, Map.of());
        }
        run.masker.addAll(params.asMap());
        String description = run.masker.mask(b.action().action().describe(params, run.target));
        if (b.action().action().needsApproval(params)) {
            boolean approved;
            try {
                approved = run.approver.approve(fullId, description);
            } catch (InterruptedException e) {
                approved = false;
            }
            run.journal.append("approval", Map.of("step", fullId, "approved", approved));
            if (!approved) {
                String message = "not approved: this step needs a person's approval; re-run with --approve " + fullId
                        + " (or --yes), or answer the prompt on a terminal";
                record(fullId, Outcome.FAILED, Duration.ZERO, 0, message, false, true, Map.of(), false);
                return new Done(step.id(), Outcome.FAILED, Map.of());
            }
        }
        int attempts = step.retry().attempts();
        String lastError = null;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (run.cancelled) {
                lastError = run.cancelReason;
                break;
            }
            run.journal.append("step-started", Map.of("step", fullId, "attempt", attempt, "of", attempts,
                    "uses", b.action().qualifiedName(), "description", description));
            run.listener.stepStarted(fullId, description, attempt, attempts);
            EngineStepContext context = new EngineStepContext(run, fullId, valid.runbook().file().getParent(), step.timeout());
            Thread worker = Thread.currentThread();
            ScheduledFuture<?> watchdog = step.timeout() == null ? null : timers.schedule(() -> {
                context.cancelled = true;
                worker.interrupt();
            }, step.timeout().toMillis(), TimeUnit.MILLISECONDS);
            ScheduledFuture<?> deadlineWatch = run.deadline == null ? null : timers.schedule(() -> {
                context.cancelled = true;
                worker.interrupt();
            }, Math.max(0, Duration.between(Instant.now(), run.deadline).toMillis()), TimeUnit.MILLISECONDS);
            boolean retryable = true;
            try {
                Outputs outputs = b.action().action().execute(params, context);
                cancel(watchdog, deadlineWatch);
                Thread.interrupted(); // a watchdog that fired just after success must not leak into the next attempt
                Map<String, Object> values = outputs == null ? Map.of() : outputs.asMap();
                run.masker.addAll(values);
                boolean secretOutputs = values.values().stream().anyMatch(v -> v instanceof Secret);
                record(fullId, Outcome.SUCCEEDED, Duration.between(start, Instant.now()), attempt, null, false, false,
                        values, false, secretOutputs);
                return new Done(step.id(), Outcome.SUCCEEDED, values);
            } catch (StepFailure f) {
                retryable = f.retryable();
                lastError = f.getMessage();
            } catch (InterruptedException e) {
                lastError = interruption(context, step);
                retryable = false;
            } catch (Exception e) {
                lastError = context.cancelled && Thread.currentThread().isInterrupted()
                        ? interruption(context, step) : describe(e);
            } finally {
                cancel(watchdog, deadlineWatch);
                Thread.interrupted();
            }
            boolean timedOut = context.cancelled && step.timeout() != null && !run.cancelled;
            lastError = run.masker.mask(lastError);
            run.journal.append("attempt-failed", Map.of("step", fullId, "attempt", attempt, "message", lastError));
            if (run.cancelled || !retryable || attempt == attempts) {
                break;
            }
            run.listener.stepLog(fullId, "warn", "attempt " + attempt + " of " + attempts + " failed: " + lastError
                    + (timedOut ? "" : ""));
            if (!sleep(step.retry().delayBefore(attempt + 1))) {
                break;
            }
        }
        Outcome outcome = run.cancelled ? Outcome.CANCELLED : step.continueOnError() ? Outcome.FAILED_IGNORED : Outcome.FAILED;
        record(fullId, outcome, Duration.between(start, Instant.now()), attempts, lastError, false, false, Map.of(), false);
        return new Done(step.id(), outcome, Map.of());
    }

    private String interruption(EngineStepContext context, Step step) {
        if (run.cancelled) {
            return "cancelled: " + run.cancelReason;
        }
        return "timed out after " + dev.runbook.spi.Durations.format(step.timeout()) + " (the step was interrupted)";
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return (m == null || m.isBlank()) ? e.getClass().getSimpleName() : m;
    }

    private static void cancel(ScheduledFuture<?>... futures) {
        for (ScheduledFuture<?> f : futures) {
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    /** Sleeps before a retry; false when the run was cancelled meanwhile. */
    private boolean sleep(Duration d) {
        long until = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < until) {
                if (run.cancelled) {
                    return false;
                }
                Thread.sleep(Math.min(200, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Resolves {@code with:} now that the steps it reads have ended, defaults first. */
    private static Map<String, Object> resolveParams(ValidRunbook valid, BoundStep b, Scope scope) throws ExpressionException {
        Map<String, Object> out = new LinkedHashMap<>();
        if (b.action() != null) {
            for (ParamSpec p : b.action().action().params()) {
                if (p.defaultValue() != null) {
                    out.put(p.name(), p.defaultValue());
                }
            }
        }
        for (Map.Entry<String, Object> e : b.step().with().entrySet()) {
            Object v = valid.evaluator().resolve(e.getValue(), scope);
            if (v instanceof Deferred d) {
                throw new ExpressionException("`" + d.expression() + "` reads a step that has not run");
            }
            out.put(e.getKey(), v);
        }
        return out;
    }

    /** A step that calls another runbook: its inputs from {@code with:}, its sections run here. */
    private Done callRunbook(ValidRunbook caller, BoundStep b, Scope scope, String prefix) {
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
            record(fullId, Outcome.FAILED, Duration.ZERO, 1, "with: " + e.getMessage(), false, false, Map.of(), false);
            return new Done(step.id(), Outcome.FAILED, Map.of());
        }
        Map<String, Object> plain = new LinkedHashMap<>();
        given.forEach((k, v) -> plain.put(k, v instanceof Secret s ? s.reveal() : v));
        InputBinder.Bound bound = InputBinder.bind(called, plain, run.env, run.runId, run.started, run.target.kind());
        if (!bound.problems().isEmpty()) {
            record(fullId, Outcome.FAILED, Duration.ZERO, 1, bound.problems().get(0).format(), false, false, Map.of(), false);
            return new Done(step.id(), Outcome.FAILED, Map.of());
        }
        Map<String, String> childSecrets;
        try {
            childSecrets = Secrets.resolve(called.runbook(), run.env, run.masker);
        } catch (Engine.NotStartedException e) {
            record(fullId, Outcome.FAILED, Duration.ZERO, 1, e.getMessage(), false, false, Map.of(), false);
            return new Done(step.id(), Outcome.FAILED, Map.of());
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
        record(fullId, outcome, Duration.between(start, Instant.now()), 1, message, false, false, outputs, false);
        return new Done(step.id(), outcome, outputs);
    }

    private void reuse(String fullId, RunHistory.StepRecord before) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step", fullId);
        fields.put("outcome", before.outcome().label());
        fields.put("outputs", before.outputs());
        run.journal.append("step-reused", fields);
        run.results.put(fullId, new RunResult.StepResult(fullId, before.outcome(), Duration.ZERO, 0,
                "done in an earlier attempt of this run", true, false));
        run.listener.stepFinished(fullId, before.outcome(), Duration.ZERO, "done in an earlier attempt of this run (not repeated)");
    }

    private void record(String fullId, Outcome outcome, Duration took, int attempts, String message, boolean reused,
                        boolean notApproved, Map<String, Object> outputs, boolean ignored) {
        record(fullId, outcome, took, attempts, message, reused, notApproved, outputs, ignored, false);
    }

    private void record(String fullId, Outcome outcome, Duration took, int attempts, String message, boolean reused,
                        boolean notApproved, Map<String, Object> outputs, boolean ignored, boolean secretOutputs) {
        String masked = run.masker.mask(message);
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step", fullId);
        fields.put("outcome", (ignored ? Outcome.FAILED_IGNORED : outcome).label());
        fields.put("attempts", attempts);
        fields.put("duration_ms", took.toMillis());
        if (masked != null) {
            fields.put("message", masked);
        }
        fields.put("outputs", outputs);
        if (secretOutputs) {
            fields.put("secret_outputs", true);
        }
        run.journal.append("step-finished", fields);
        Outcome o = ignored ? Outcome.FAILED_IGNORED : outcome;
        run.results.put(fullId, new RunResult.StepResult(fullId, o, took, attempts, masked, reused, notApproved));
        run.listener.stepFinished(fullId, o, took, masked);
    }

    /** Until every gate is decided, only the steps they read (and what those need) may start. */
    private static Set<String> allowedBeforeGates(ValidRunbook valid, StepGraph graph, List<Precondition> gates, Scope scope) {
        Set<String> allowed = null;
        for (Precondition p : gates) {
            Set<String> reads = readsSteps(valid, p);
            if (reads.isEmpty()) {
                continue;
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            for (String id : reads) {
                if (graph.steps().contains(id)) {
                    allowed.addAll(ancestorsAndSelf(graph, id));
                }
            }
        }
        return allowed;
    }

    private static Set<String> readsSteps(ValidRunbook valid, Precondition p) {
        String expr = p.check().trim();
        if (expr.startsWith("${{") && expr.endsWith("}}")) {
            expr = expr.substring(3, expr.length() - 2).trim();
        }
        try {
            return valid.evaluator().expressions().compile(expr).steps();
        } catch (ExpressionException e) {
            return Set.of();
        }
    }

    private static Set<String> ancestorsAndSelf(StepGraph graph, String id) {
        Set<String> out = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(List.of(id));
        while (!todo.isEmpty()) {
            String s = todo.remove(todo.size() - 1);
            if (out.add(s)) {
                todo.addAll(graph.dependenciesOf(s));
            }
        }
        return out;
    }

    private Outcome applyGates(ValidRunbook valid, List<Precondition> gates, Scope scope, Outcome outcome) {
        if (gates.isEmpty()) {
            return outcome;
        }
        String failedGate = checkGates(valid, gates, scope);
        if (failedGate == null) {
            return outcome;
        }
        run.journal.append("precondition-failed", Map.of("message", failedGate));
        run.listener.note("precondition failed: " + failedGate);
        run.cancelReason = "precondition failed: " + failedGate;
        scope.status(new Expressions.RunStatus(true, run.cancelled));
        return Outcome.worst(outcome, Outcome.FAILED);
    }

    /** Evaluates every gate that can be decided now; removes decided ones; returns the first that fails. */
    private String checkGates(ValidRunbook valid, List<Precondition> gates, Scope scope) {
        String failed = null;
        for (Precondition p : new ArrayList<>(gates)) {
            Set<String> reads = readsSteps(valid, p);
            if (reads.isEmpty() || reads.stream().anyMatch(id -> scope.ended(id) && !scope.succeeded(id))) {
                gates.remove(p); // decided before the first step, or moot: what it reads failed
                continue;
            }
            try {
                Boolean holds = valid.evaluator().condition(p.check(), scope);
                if (holds == null) {
                    continue;
                }
                gates.remove(p);
                run.journal.append("precondition", Map.of("check", p.check(), "holds", holds));
                if (!holds && failed == null) {
                    failed = p.message() != null ? p.message() : p.check();
                }
            } catch (ExpressionException e) {
                gates.remove(p);
                failed = p.check() + ": " + e.getMessage();
            }
        }
        return failed;
    }
}
