package dev.runbook.engine;

import java.time.Duration;
import java.util.List;

/**
 * How a run ended.
 *
 * @param steps   every step that was considered in this invocation, in the order they ended
 * @param outputs the runbook's {@code outputs:} (secrets masked), when it succeeded
 */
public record RunResult(String runId, String runbook, Outcome outcome, String message, Duration took,
                        List<StepResult> steps, java.util.Map<String, Object> outputs) {

    /**
     * @param attempts how many times it was tried in this invocation (0: skipped or reused)
     * @param reused   whether the result came from an earlier invocation (resume)
     * @param executorBug whether it failed because its executor broke the SPI's contract (exit 3)
     */
    public record StepResult(String id, Outcome outcome, Duration took, int attempts, String message, boolean reused,
                             boolean notApproved, boolean executorBug) {

        public StepResult(String id, Outcome outcome, Duration took, int attempts, String message, boolean reused,
                          boolean notApproved) {
            this(id, outcome, took, attempts, message, reused, notApproved, false);
        }

        /** The same result, marked as caused by an executor that broke the SPI's contract. */
        StepResult asExecutorBug() {
            return new StepResult(id, outcome, took, attempts, message, reused, notApproved, true);
        }
    }

    /** Whether a step failed because of a bug in its executor (it broke the SPI's contract). */
    public boolean executorBug() {
        return steps.stream().anyMatch(StepResult::executorBug);
    }

    /** Whether the run stopped because a step that needs approval was not approved. */
    public boolean approvalMissing() {
        return steps.stream().anyMatch(StepResult::notApproved);
    }
}
