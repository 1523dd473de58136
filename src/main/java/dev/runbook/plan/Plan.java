package dev.runbook.plan;

import java.util.List;
import java.util.Map;

/**
 * What a run would do, as data: the reviewed artefact of {@code runbook plan}, printed as
 * text or as stable JSON (documented in docs/plan-format.md), and the contract
 * {@code runbook run --plan} executes. Contains no secret: parameters are shown with secrets
 * masked, and values known only at run time as {@code ⟨from EXPRESSION⟩}.
 *
 * @param sourceSha256 hash of the runbook file and every runbook it calls, so a saved plan
 *                     refuses to run after the files changed
 * @param inputs       the bound inputs (inputs are never secret); what {@code run --plan} runs with
 * @param inputHelp    every declared input: its value, where the value came from, its description
 * @param deadline     the recovery-time budget, e.g. "45m", or null
 * @param problems     what already fails now (a precondition, a {@code --refresh} probe); when not
 *                     empty, {@code runbook plan} exits with code 6
 * @param touches      everything the run will touch, named (compose project, cluster, database,
 *                     bucket), in step order without repeats
 */
public record Plan(int format, String runbook, String file, String sourceSha256, Map<String, Object> inputs,
                   List<PlannedInput> inputHelp, String target, String deadline, List<String> problems,
                   List<String> touches, List<PlannedCheck> preconditions, List<PlannedSection> sections,
                   List<String> warnings) {

    /** 2: added inputHelp, problems, touches, precondition states/values and step touches/probeProblem. */
    public static final int FORMAT = 2;

    /**
     * A declared input.
     *
     * @param value  as shown (null when not set)
     * @param source "given", "default" or "not set"
     */
    public record PlannedInput(String name, String type, boolean required, String value, String source,
                               String description) {
    }

    /**
     * A precondition and what is known of it now.
     *
     * @param state  "holds", "fails", "decided at run time" or "cannot be decided: ..."
     * @param values the values it reads, as far as known now ("inputs.max_age = 26h"), in the order written
     * @param after  the steps whose outputs it waits for (empty when decided now)
     */
    public record PlannedCheck(String check, String message, String state, List<String> values, List<String> after) {
    }

    /** One section (steps, on-failure, finally) as waves of steps that may run together. */
    public record PlannedSection(String name, List<List<PlannedStep>> waves) {
    }

    /**
     * @param name         the step's {@code name:} label, or null
     * @param condition    the {@code if:} text, or null
     * @param decision     "runs", "skipped (if: is false)" or "decided at run time"
     * @param params       parameters as shown to people (secrets masked, run-time values as ⟨from ...⟩)
     * @param touches      what this step touches, named
     * @param calls        the steps of a called runbook, or empty
     * @param probe        what {@code --refresh} found, or null
     * @param probeProblem why the {@code --refresh} probe failed, or null (also listed in problems)
     * @param problems     what the step needs that cannot be resolved now (no Compose project, a
     *                     kubeconfig that does not exist); also in the plan's problems when the step runs
     */
    public record PlannedStep(String id, String name, String uses, String description, Map<String, String> params,
                              List<String> touches, List<String> needs, String condition, String decision, int attempts,
                              String retryDelay, String backoff, String timeout, boolean continueOnError,
                              boolean destructive, boolean needsApproval, List<PlannedSection> calls, String probe,
                              String probeProblem, List<String> problems) {

        public PlannedStep {
            problems = problems == null ? List.of() : List.copyOf(problems); // a plan saved before this key
        }
    }
}
