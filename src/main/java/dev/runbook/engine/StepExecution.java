package dev.runbook.engine;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Scope;
import dev.runbook.model.Step;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.BoundStep;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.spi.BadParameterException;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one executor step: resolves its parameters, asks for approval when the action needs
 * it, then tries it as often as its retry policy allows, each attempt under its timeout and
 * the run's deadline, and records how it ended.
 */
final class StepExecution {

    private final RunState run;
    private final StepRecorder recorder;

    StepExecution(RunState run, StepRecorder recorder) {
        this.run = run;
        this.recorder = recorder;
    }

    StepEnd execute(ValidRunbook valid, BoundStep b, Scope scope, String fullId) {
        Step step = b.step();
        Instant start = Instant.now();
        // cleanup and notification steps still run after a cancellation (deadline, Ctrl-C), within the grace period
        boolean cleanup = b.section() != Section.MAIN;
        Params params;
        try {
            params = Params.of(resolveParams(valid, b, scope));
        } catch (ExpressionException e) {
            return recorder.record(fullId, StepEnd.failed("with: " + e.getMessage(), Duration.ZERO, 0, step.continueOnError()));
        }
        run.masker.addAll(params.asMap());
        String description = run.masker.mask(b.action().action().describe(params, run.target));
        if (b.action().action().needsApproval(params)) {
            StepEnd refused = approval(fullId, description, cleanup);
            if (refused != null) {
                return recorder.record(fullId, refused);
            }
        }
        int attempts = step.retry().attempts();
        String lastError = null;
        Instant ended = null; // when the last attempt ended
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (run.stops(cleanup)) {
                lastError = run.stopReason(cleanup);
                ended = null;
                break;
            }
            // the first attempt starts with the step (its parameters, its approval), so that its bar
            // in the report and the step's duration are one span
            Map<String, Object> started = recorder.named(fullId);
            started.putAll(Map.of("attempt", attempt, "of", attempts, "uses", b.action().qualifiedName(),
                    "description", description));
            run.journal.append("step-started", attempt == 1 ? start : Instant.now(), started);
            run.listener.stepStarted(fullId, description, attempt, attempts);
            EngineStepContext context = new EngineStepContext(run, fullId, valid.runbook().file().getParent(), step.timeout());
            context.cleanup = cleanup;
            Thread worker = Thread.currentThread();
            ScheduledFuture<?> watchdog = step.timeout() == null ? null : run.timers.schedule(() -> {
                context.timedOut = true;
                context.cancelled = true;
                worker.interrupt();
            }, step.timeout().toMillis(), TimeUnit.MILLISECONDS);
            boolean retryable = true;
            run.working(cleanup);
            try {
                Outputs outputs = b.action().action().execute(params, context);
                cancel(watchdog);
                Thread.interrupted(); // a watchdog that fired just after success must not leak into the next attempt
                OutputContract.Checked checked = OutputContract.check(b.action().qualifiedName(), b.action().action(),
                        outputs == null ? Map.of() : outputs.asMap());
                Instant end = Instant.now();
                if (checked instanceof OutputContract.Undeclared bug) {
                    return recorder.executorBug(fullId, Duration.between(start, end), attempt, bug.message(), end);
                }
                Map<String, Object> values = ((OutputContract.Accepted) checked).values();
                run.masker.addAll(values);
                // secret outputs are not stored, and a port-forward dies with its run: such a step
                // must run again on resume rather than be reused
                boolean rerunOnResume = values.values().stream().anyMatch(v -> v instanceof Secret) || context.keepsResources;
                return recorder.record(fullId, StepEnd.succeeded(Duration.between(start, end), attempt, values,
                        rerunOnResume), end);
            } catch (StepFailure f) {
                retryable = f.retryable();
                lastError = f.getMessage();
            } catch (InterruptedException e) {
                lastError = interruption(context, step, cleanup);
                retryable = false;
            } catch (BadParameterException e) {
                // the action says a parameter is unusable: trying again cannot help. Any other
                // exception (a library's IllegalStateException included) may be transient.
                lastError = describe(e);
                retryable = false;
            } catch (Exception e) {
                lastError = context.cancelled && Thread.currentThread().isInterrupted()
                        ? interruption(context, step, cleanup) : describe(e);
            } finally {
                run.notWorking();
                cancel(watchdog);
                Thread.interrupted();
            }
            ended = Instant.now();
            lastError = run.masker.mask(lastError);
            run.journal.append("attempt-failed", ended, Map.of("step", fullId, "attempt", attempt, "message", lastError));
            if (run.stops(cleanup) || !retryable || attempt == attempts) {
                break;
            }
            run.listener.stepLog(fullId, "warn", "attempt " + attempt + " of " + attempts + " failed: " + lastError);
            if (!sleep(step.retry().delayBefore(attempt + 1), cleanup)) {
                ended = null;
                break;
            }
        }
        // the step ends with its last attempt, unless it was stopped while it waited to try again
        Instant end = ended != null ? ended : Instant.now();
        Duration took = Duration.between(start, end);
        return recorder.record(fullId, run.stops(cleanup) ? StepEnd.cancelled(lastError, took, attempts)
                : StepEnd.failed(lastError, took, attempts, step.continueOnError()), end);
    }

    /**
     * Asks for approval and journals how it was given or refused, by whom and when. Null when
     * approved; otherwise how the step ends (refused, or cancelled while waiting at the prompt).
     */
    private StepEnd approval(String fullId, String description, boolean cleanup) {
        Approver.Decision decision;
        run.working(cleanup); // Ctrl-C or the deadline must end the wait at once
        try {
            decision = run.approver.approve(fullId, description);
        } catch (InterruptedException e) {
            decision = Approver.Decision.refused("interrupted while waiting for an answer");
        } finally {
            run.notWorking();
            Thread.interrupted();
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step", fullId);
        fields.put("approved", decision.approved());
        fields.put("how", decision.how());
        fields.put("user", System.getProperty("user.name"));
        String sudoUser = run.env.get("SUDO_USER");
        if (sudoUser != null && !sudoUser.isBlank()) {
            fields.put("sudo_user", sudoUser);
        }
        fields.put("at", Instant.now().toString());
        run.journal.append("approval", fields);
        if (decision.approved()) {
            return null;
        }
        if (run.stops(cleanup)) {
            return StepEnd.cancelled("cancelled at the approval prompt: " + run.stopReason(cleanup), Duration.ZERO, 0);
        }
        return StepEnd.notApproved("not approved (" + decision.how() + "): this step needs a person's approval; re-run with --approve "
                + fullId + " (or --yes), or answer the prompt on a terminal");
    }

    private String interruption(EngineStepContext context, Step step, boolean cleanup) {
        if (!context.timedOut) {
            return "cancelled: " + (run.stops(cleanup) ? run.stopReason(cleanup) : "interrupted");
        }
        return "timed out after " + dev.runbook.spi.Durations.format(step.timeout()) + " (the step was interrupted)";
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return (m == null || m.isBlank()) ? e.getClass().getSimpleName() : m;
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    /** Sleeps before a retry; false when the run was cancelled meanwhile. */
    private boolean sleep(Duration d, boolean cleanup) {
        long until = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < until) {
                if (run.stops(cleanup)) {
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

}
