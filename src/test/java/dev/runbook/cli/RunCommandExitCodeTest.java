package dev.runbook.cli;

import dev.runbook.engine.Outcome;
import dev.runbook.engine.RunResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A step that failed because its executor broke the SPI's contract is an internal error (exit 3), not a failed step. */
class RunCommandExitCodeTest {

    private static RunResult failedWith(RunResult.StepResult step) {
        return new RunResult("r1", "rb", Outcome.FAILED, "failed", Duration.ZERO, List.of(step), Map.of());
    }

    @Test
    void anExecutorBugExitsWithTheInternalErrorCode() {
        RunResult.StepResult bug = new RunResult.StepResult("s", Outcome.FAILED, Duration.ZERO, 1,
                "bug in the executor: action x.y produced output z that it does not declare", false, false, true);
        assertEquals(ExitCodes.INTERNAL, RunCommand.exitCode(failedWith(bug)));
    }

    @Test
    void anOrdinaryFailureStillExitsWithOne() {
        RunResult.StepResult failed = new RunResult.StepResult("s", Outcome.FAILED, Duration.ZERO, 1, "disk full", false, false);
        assertEquals(ExitCodes.STEP_FAILED, RunCommand.exitCode(failedWith(failed)));
    }
}
