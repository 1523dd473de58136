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

    void reuse(String fullId, RunHistory.StepRecord before) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("step", fullId);
        fields.put("outcome", before.outcome().label());
        fields.put("outputs", before.outputs());
        run.journal.append("step-reused", fields);
        run.results.put(fullId, new RunResult.StepResult(fullId, before.outcome(), Duration.ZERO, 0,
                "done in an earlier attempt of this run", true, false));
        run.listener.stepFinished(fullId, before.outcome(), Duration.ZERO, "done in an earlier attempt of this run (not repeated)");
    }

    /** The step failed because its executor broke the SPI's contract: the run reports an internal error. */
    void executorBug(String fullId, Duration took, int attempts, String message) {
        record(fullId, Outcome.FAILED, took, attempts, message, false, false, Map.of(), false);
        run.results.computeIfPresent(fullId, (id, result) -> result.asExecutorBug());
    }

    void record(String fullId, Outcome outcome, Duration took, int attempts, String message, boolean reused,
                        boolean notApproved, Map<String, Object> outputs, boolean ignored) {
        record(fullId, outcome, took, attempts, message, reused, notApproved, outputs, ignored, false);
    }

    void record(String fullId, Outcome outcome, Duration took, int attempts, String message, boolean reused,
                        boolean notApproved, Map<String, Object> outputs, boolean ignored, boolean rerunOnResume) {
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
        if (rerunOnResume) {
            fields.put("rerun_on_resume", true);
        }
        run.journal.append("step-finished", fields);
        Outcome o = ignored ? Outcome.FAILED_IGNORED : outcome;
        run.results.put(fullId, new RunResult.StepResult(fullId, o, took, attempts, masked, reused, notApproved));
        run.listener.stepFinished(fullId, o, took, masked);
    }

}
