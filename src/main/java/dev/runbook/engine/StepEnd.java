package dev.runbook.engine;

import java.time.Duration;
import java.util.Map;

/**
 * How one step ended: the one value every ending produces, whatever path it took (ran,
 * skipped, reused, refused, blocked, cancelled), like JUnit's {@code TestExecutionResult}.
 * Made only through the factory methods, so each kind of ending carries what it needs.
 *
 * @param attempts      how many times it was tried in this invocation (0: it never ran)
 * @param notApproved   it needed approval and none was given
 * @param rerunOnResume it succeeded but must run again on resume (secret outputs, a held port-forward)
 */
public record StepEnd(Outcome outcome, Duration took, int attempts, String message, Map<String, Object> outputs,
                      boolean notApproved, boolean rerunOnResume) {

    public StepEnd {
        outputs = outputs == null ? Map.of() : outputs;
    }

    public static StepEnd succeeded(Duration took, int attempts, Map<String, Object> outputs, boolean rerunOnResume) {
        return new StepEnd(Outcome.SUCCEEDED, took, attempts, null, outputs, false, rerunOnResume);
    }

    /** A failure; with {@code continue-on-error} it is recorded as allowed and does not fail the run. */
    public static StepEnd failed(String message, Duration took, int attempts, boolean continueOnError) {
        return new StepEnd(continueOnError ? Outcome.FAILED_IGNORED : Outcome.FAILED, took, attempts, message, Map.of(),
                false, false);
    }

    /** Stopped or not started because the run (or its grace period) was cancelled. */
    public static StepEnd cancelled(String message, Duration took, int attempts) {
        return new StepEnd(Outcome.CANCELLED, took, attempts, message, Map.of(), false, false);
    }

    /** How the reason of a step that never started because of the run (not its own condition) begins. */
    public static final String NOT_STARTED = "not started: ";

    /** Not started because of the run: an earlier failure, a failed precondition, the end of the grace period. */
    public static StepEnd notStarted(String why) {
        return skipped(NOT_STARTED + why);
    }

    public static StepEnd skipped(String reason) {
        return new StepEnd(Outcome.SKIPPED, Duration.ZERO, 0, reason, Map.of(), false, false);
    }

    /** Could never start; the message names what it waits for. */
    public static StepEnd blocked(String waitsFor) {
        return new StepEnd(Outcome.BLOCKED, Duration.ZERO, 0, waitsFor, Map.of(), false, false);
    }

    public static StepEnd notApproved(String message) {
        return new StepEnd(Outcome.FAILED, Duration.ZERO, 0, message, Map.of(), true, false);
    }

    /** A called runbook's result, as the calling step's. */
    public static StepEnd of(Outcome outcome, Duration took, String message, Map<String, Object> outputs) {
        return new StepEnd(outcome, took, 1, message, outputs, false, false);
    }
}
