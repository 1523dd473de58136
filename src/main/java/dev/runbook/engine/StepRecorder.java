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
        Map<String, Object> fields = named(fullId);
        fields.put("outcome", before.outcome().label());
        fields.put("outputs", before.outputs());
        run.journal.append("step-reused", fields);
        String message = "done in an earlier attempt of this run";
        run.results.put(fullId, new RunResult.StepResult(fullId, before.outcome(), Duration.ZERO, 0, message, true, false));
        run.listener.stepFinished(fullId, before.outcome(), Duration.ZERO, message + " (not repeated)");
        return new StepEnd(before.outcome(), Duration.ZERO, 0, message, before.outputs(), false, false);
    }

    /** The fields a step's event starts with: its id and, when it has one, its {@code name:} label. */
    Map<String, Object> named(String fullId) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step", fullId);
        String name = run.stepNames.get(fullId);
        if (name != null) {
            fields.put("name", name);
        }
        return fields;
    }

    /** The step failed because its executor broke the SPI's contract: the run reports an internal error. */
    StepEnd executorBug(String fullId, Duration took, int attempts, String message, java.time.Instant at) {
        StepEnd end = record(fullId, StepEnd.failed(message, took, attempts, false), at);
        run.results.computeIfPresent(fullId, (id, result) -> result.asExecutorBug());
        return end;
    }

    /** Journals, keeps and reports one ending, now (a step that ended without running); returns it with its message masked. */
    StepEnd record(String fullId, StepEnd end) {
        return record(fullId, end, java.time.Instant.now());
    }

    /** The same, for a step that ended at {@code at}: its start plus {@code end.took()}. */
    StepEnd record(String fullId, StepEnd end, java.time.Instant at) {
        String masked = run.masker.mask(end.message());
        Map<String, Object> fields = named(fullId);
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
        run.journal.append("step-finished", at, fields);
        run.results.put(fullId, new RunResult.StepResult(fullId, end.outcome(), end.took(), end.attempts(), masked, false,
                end.notApproved()));
        run.listener.stepFinished(fullId, end.outcome(), end.took(), masked);
        return new StepEnd(end.outcome(), end.took(), end.attempts(), masked, end.outputs(), end.notApproved(),
                end.rerunOnResume());
    }
}
