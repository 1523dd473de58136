package dev.runbook.report;

import java.util.List;
import java.util.Map;

/**
 * One run as one document, read back from its journal: what {@code runbook show RUN --json}
 * prints (documented in docs/run-record.md) and what the HTML report draws. Holds no secret:
 * the journal masked everything before it was written.
 *
 * @param format the document's format version
 */
public record RunRecord(int format, Run run, Map<String, Object> inputs, List<Check> preconditions,
                        List<StepRun> steps, List<Approval> approvals, List<InputCorrection> inputCorrections) {

    /** Inputs corrected by {@code runbook resume --input}: when, and each input's old and new value. */
    public record InputCorrection(String time, Map<String, Object> changed) {
    }

    public static final int FORMAT = 1;

    /**
     * @param status     succeeded, failed, cancelled, or interrupted (the process died)
     * @param finished   when the last invocation ended, or null
     * @param deadline   when the run's recovery-time budget ran out (last invocation), or null
     * @param outputs    the runbook's outputs (masked)
     */
    public record Run(String id, String runbook, String file, String target, String status, String message,
                      String started, String finished, Long durationMs, String deadline, boolean deadlineExceeded,
                      int invocations, Map<String, Object> outputs) {
    }

    /**
     * One step across every invocation of the run.
     *
     * @param name     the step's {@code name:} label, or null
     * @param started  when its first attempt started (with the step: its parameters and approval), or null
     * @param durationMs from {@code started} to its end (its last attempt's end, unless it was stopped
     *                 while waiting to try again)
     * @param outcome  succeeded, skipped, failed, failed-ignored, cancelled, or null if it never ended
     * @param reused   whether a resume kept an earlier result instead of running it again
     * @param logs     the lines the step wrote, in order (its tools' output and its notes)
     */
    public record StepRun(String id, String name, String uses, String description, String outcome, String message, boolean reused,
                          String started, String finished, Long durationMs, List<Attempt> attempts,
                          Map<String, Object> outputs, List<LogLine> logs) {
    }

    /** @param outcome succeeded, failed, skipped, cancelled, ... or "interrupted" when the run ended first */
    public record Attempt(int number, int of, String started, String finished, String outcome, String message) {
    }

    public record LogLine(String time, String level, String line) {
    }

    /**
     * A step's approval.
     *
     * @param by  who approved (when the journal records it), else null
     * @param how how (a typed confirmation, --approve, --yes) when recorded, else null
     */
    public record Approval(String step, boolean approved, String by, String how, String time) {
    }

    public record Check(String check, boolean holds, String time) {
    }
}
