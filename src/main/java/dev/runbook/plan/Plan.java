package dev.runbook.plan;

import java.util.List;
import java.util.Map;

/**
 * What a run would do, as data: the reviewed artefact of {@code runbook plan}, printed as
 * text or as stable JSON ({@code format: 1}), and the contract {@code runbook run --plan}
 * executes. Contains no secret: parameters are shown with secrets masked.
 *
 * @param sourceSha256 hash of the runbook file and every runbook it calls, so a saved plan
 *                     refuses to run after the files changed
 * @param inputs       the bound inputs (inputs are never secret)
 * @param deadline     the recovery-time budget, e.g. "45m", or null
 */
public record Plan(int format, String runbook, String file, String sourceSha256, Map<String, Object> inputs,
                   String target, String deadline, List<PlannedCheck> preconditions,
                   List<PlannedSection> sections, List<String> warnings) {

    public static final int FORMAT = 1;

    /** A precondition and what is known of it now: "holds", "fails" or "decided at run time". */
    public record PlannedCheck(String check, String message, String state) {
    }

    /** One section (steps, on-failure, finally) as waves of steps that may run together. */
    public record PlannedSection(String name, List<List<PlannedStep>> waves) {
    }

    /**
     * @param condition   the {@code if:} text, or null
     * @param decision    "runs", "skipped (if: is false)" or "decided at run time"
     * @param params      parameters as shown to people (secrets masked, run-time values as expressions)
     * @param calls       the steps of a called runbook, or empty
     * @param probe       what {@code --refresh} found, or null
     */
    public record PlannedStep(String id, String name, String uses, String description, Map<String, String> params,
                              List<String> needs, String condition, String decision, int attempts, String retryDelay,
                              String backoff, String timeout, boolean continueOnError, boolean destructive,
                              boolean needsApproval, List<PlannedSection> calls, String probe) {
    }
}
