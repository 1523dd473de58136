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
     */
    public record StepResult(String id, Outcome outcome, Duration took, int attempts, String message, boolean reused,
                             boolean notApproved) {
    }

    /** Whether the run stopped because a step that needs approval was not approved. */
    public boolean approvalMissing() {
        return steps.stream().anyMatch(StepResult::notApproved);
    }
}
