package dev.runbook.engine;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** Records how each step ended, in one place: the journal, the run's results and the listener. */
final class StepRecorder {

    private final RunState run;

    StepRecorder(RunState run) {
        this.run = run;
    }

    /** A step done in an earlier invocation of this run (resume): kept with its outputs. */
    StepEnd reuse(String fullId, RunHistory.StepRecord before) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step", fullId);
        fields.put("outcome", before.outcome().label());
        fields.put("outputs", before.outputs());
        run.journal.append("step-reused", fields);
        String message = "done in an earlier attempt of this run";
        run.results.put(fullId, new RunResult.StepResult(fullId, before.outcome(), Duration.ZERO, 0, message, true, false));
        run.listener.stepFinished(fullId, before.outcome(), Duration.ZERO, message + " (not repeated)");
        return new StepEnd(before.outcome(), Duration.ZERO, 0, message, before.outputs(), false, false);
    }

    /** The step failed because its executor broke the SPI's contract: the run reports an internal error. */
    StepEnd executorBug(String fullId, Duration took, int attempts, String message) {
        StepEnd end = record(fullId, StepEnd.failed(message, took, attempts, false));
        run.results.computeIfPresent(fullId, (id, result) -> result.asExecutorBug());
        return end;
    }

    /** Journals, keeps and reports one ending; returns it with its message masked. */
    StepEnd record(String fullId, StepEnd end) {
        String masked = run.masker.mask(end.message());
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step", fullId);
        fields.put("outcome", end.outcome().label());
        fields.put("attempts", end.attempts());
        fields.put("duration_ms", end.took().toMillis());
        if (masked != null) {
            fields.put("message", masked);
        }
        fields.put("outputs", end.outputs());
        if (end.rerunOnResume()) {
            fields.put("rerun_on_resume", true);
        }
        run.journal.append("step-finished", fields);
        run.results.put(fullId, new RunResult.StepResult(fullId, end.outcome(), end.took(), end.attempts(), masked, false,
                end.notApproved()));
        run.listener.stepFinished(fullId, end.outcome(), end.took(), masked);
        return new StepEnd(end.outcome(), end.took(), end.attempts(), masked, end.outputs(), end.notApproved(),
                end.rerunOnResume());
    }
}
