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
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs one executor step: resolves its parameters, asks for approval when the action needs
 * it, then tries it as often as its retry policy allows, each attempt under its timeout and
 * the run's deadline, and records how it ended.
 */
final class StepExecution {

    private final RunState run;
    private final ScheduledExecutorService timers;
    private final StepRecorder recorder;

    StepExecution(RunState run, ScheduledExecutorService timers, StepRecorder recorder) {
        this.run = run;
        this.timers = timers;
        this.recorder = recorder;
    }

    StepDone execute(ValidRunbook valid, BoundStep b, Scope scope, String fullId) {
        Step step = b.step();
        Instant start = Instant.now();
        Params params;
        try {
            params = Params.of(resolveParams(valid, b, scope));
        } catch (ExpressionException e) {
            String message = "with: " + e.getMessage();
            recorder.record(fullId, Outcome.FAILED, Duration.ZERO, 0, message, false, false, Map.of(), step.continueOnError());
            return new StepDone(step.id(), step.continueOnError() ? Outcome.FAILED_IGNORED : Outcome.FAILED, Map.of());
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
                recorder.record(fullId, Outcome.FAILED, Duration.ZERO, 0, message, false, true, Map.of(), false);
                return new StepDone(step.id(), Outcome.FAILED, Map.of());
            }
        }
        int attempts = step.retry().attempts();
        String lastError = null;
        // cleanup and notification steps still run after a cancellation (deadline, Ctrl-C)
        boolean stopsOnCancel = b.section() == Section.MAIN;
        for (int attempt = 1; attempt <= attempts; attempt++) {
            if (run.cancelled && stopsOnCancel) {
                lastError = run.cancelReason;
                break;
            }
            run.journal.append("step-started", Map.of("step", fullId, "attempt", attempt, "of", attempts,
                    "uses", b.action().qualifiedName(), "description", description));
            run.listener.stepStarted(fullId, description, attempt, attempts);
            EngineStepContext context = new EngineStepContext(run, fullId, valid.runbook().file().getParent(), step.timeout());
            Thread worker = Thread.currentThread();
            ScheduledFuture<?> watchdog = step.timeout() == null ? null : timers.schedule(() -> {
                context.timedOut = true;
                context.cancelled = true;
                worker.interrupt();
            }, step.timeout().toMillis(), TimeUnit.MILLISECONDS);
            ScheduledFuture<?> deadlineWatch = run.deadline == null ? null : timers.schedule(() -> {
                run.deadlineReached(); // before the interrupt: the step must end as cancelled, not as timed out
                context.cancelled = true;
                worker.interrupt();
            }, Math.max(0, Duration.between(Instant.now(), run.deadline).toMillis()), TimeUnit.MILLISECONDS);
            boolean retryable = true;
            run.working.add(worker);
            if (run.cancelled) {
                worker.interrupt(); // cancelled between the check above and registering
            }
            try {
                Outputs outputs = b.action().action().execute(params, context);
                cancel(watchdog, deadlineWatch);
                Thread.interrupted(); // a watchdog that fired just after success must not leak into the next attempt
                OutputContract.Checked checked = OutputContract.check(b.action().qualifiedName(), b.action().action(),
                        outputs == null ? Map.of() : outputs.asMap());
                if (checked instanceof OutputContract.Undeclared bug) {
                    recorder.executorBug(fullId, Duration.between(start, Instant.now()), attempt, bug.message());
                    return new StepDone(step.id(), Outcome.FAILED, Map.of());
                }
                Map<String, Object> values = ((OutputContract.Accepted) checked).values();
                run.masker.addAll(values);
                // secret outputs are not stored, and a port-forward dies with its run: such a step
                // must run again on resume rather than be reused
                boolean rerunOnResume = values.values().stream().anyMatch(v -> v instanceof Secret) || context.keepsResources;
                recorder.record(fullId, Outcome.SUCCEEDED, Duration.between(start, Instant.now()), attempt, null, false, false,
                        values, false, rerunOnResume);
                return new StepDone(step.id(), Outcome.SUCCEEDED, values);
            } catch (StepFailure f) {
                retryable = f.retryable();
                lastError = f.getMessage();
            } catch (InterruptedException e) {
                lastError = interruption(context, step);
                retryable = false;
            } catch (BadParameterException e) {
                // the action says a parameter is unusable: trying again cannot help. Any other
                // exception (a library's IllegalStateException included) may be transient.
                lastError = describe(e);
                retryable = false;
            } catch (Exception e) {
                lastError = context.cancelled && Thread.currentThread().isInterrupted()
                        ? interruption(context, step) : describe(e);
            } finally {
                run.working.remove(worker);
                cancel(watchdog, deadlineWatch);
                Thread.interrupted();
            }
            lastError = run.masker.mask(lastError);
            run.journal.append("attempt-failed", Map.of("step", fullId, "attempt", attempt, "message", lastError));
            if ((run.cancelled && stopsOnCancel) || !retryable || attempt == attempts) {
                break;
            }
            run.listener.stepLog(fullId, "warn", "attempt " + attempt + " of " + attempts + " failed: " + lastError);
            if (!sleep(step.retry().delayBefore(attempt + 1), stopsOnCancel)) {
                break;
            }
        }
        Outcome outcome = run.cancelled && stopsOnCancel ? Outcome.CANCELLED
                : step.continueOnError() ? Outcome.FAILED_IGNORED : Outcome.FAILED;
        recorder.record(fullId, outcome, Duration.between(start, Instant.now()), attempts, lastError, false, false, Map.of(), false);
        return new StepDone(step.id(), outcome, Map.of());
    }

    private String interruption(EngineStepContext context, Step step) {
        if (!context.timedOut) {
            return "cancelled: " + (run.cancelled ? run.cancelReason : "interrupted");
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
    private boolean sleep(Duration d, boolean stopsOnCancel) {
        long until = System.nanoTime() + d.toNanos();
        try {
            while (System.nanoTime() < until) {
                if (run.cancelled && stopsOnCancel) {
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
