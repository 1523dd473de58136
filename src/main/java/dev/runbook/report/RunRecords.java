package dev.runbook.report;

import dev.runbook.engine.RunHistory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds a {@link RunRecord} from a run's journal events (every invocation: first run and resumes). */
public final class RunRecords {

    private RunRecords() {
    }

    /** A step being assembled while the events are read. */
    private static final class Building {
        final String id;
        String name;
        String uses;
        String description;
        String outcome;
        String message;
        boolean reused;
        Long durationMs;
        String finished;
        Map<String, Object> outputs = Map.of();
        final List<RunRecord.Attempt> attempts = new ArrayList<>();
        final List<RunRecord.LogLine> logs = new ArrayList<>();
        /** the attempt running now: number, of, started */
        Object[] open;

        Building(String id) {
            this.id = id;
        }

        void close(String time, String how, String why) {
            if (open != null) {
                attempts.add(new RunRecord.Attempt((int) open[0], (int) open[1], (String) open[2], time, how, why));
                open = null;
            }
        }
    }

    @SuppressWarnings("unchecked")
    public static RunRecord of(RunHistory.RunSummary summary) {
        Map<String, Building> steps = new LinkedHashMap<>();
        List<RunRecord.Approval> approvals = new ArrayList<>();
        List<RunRecord.Check> checks = new ArrayList<>();
        List<RunRecord.InputCorrection> corrections = new ArrayList<>();
        String finished = null;
        String deadline = null;
        boolean deadlineExceeded = false;
        Map<String, Object> outputs = Map.of();
        for (Map<String, Object> e : summary.events()) {
            String time = text(e.get("time"));
            String stepId = text(e.get("step"));
            Building step = stepId == null ? null : steps.computeIfAbsent(stepId, Building::new);
            if (step != null && e.get("name") != null) {
                step.name = text(e.get("name"));
            }
            switch (String.valueOf(e.get("event"))) {
                case "run-started" -> {
                    if (e.get("inputs_changed") instanceof Map<?, ?> changed) {
                        Map<String, Object> copy = new java.util.LinkedHashMap<>();
                        changed.forEach((k, v) -> copy.put(String.valueOf(k), v));
                        corrections.add(new RunRecord.InputCorrection(time, copy));
                    }
                    deadline = text(e.get("deadline"));
                    finished = null;
                }
                case "step-started" -> {
                    step.close(time, "interrupted", null);
                    step.uses = text(e.get("uses"));
                    step.description = text(e.get("description"));
                    step.open = new Object[] {number(e.get("attempt"), 1), number(e.get("of"), 1), time};
                    step.outcome = null;
                }
                case "attempt-failed" -> step.close(time, "failed", text(e.get("message")));
                case "step-log" -> step.logs.add(new RunRecord.LogLine(time, text(e.get("level")), text(e.get("line"))));
                case "step-finished" -> {
                    step.outcome = text(e.get("outcome"));
                    step.message = text(e.get("message"));
                    step.durationMs = e.get("duration_ms") instanceof Number n ? n.longValue() : null;
                    step.finished = time;
                    step.reused = false;
                    step.outputs = e.get("outputs") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
                    step.close(time, step.outcome, step.message);
                }
                case "step-reused" -> {
                    step.outcome = text(e.get("outcome"));
                    step.reused = true;
                    step.message = "kept from an earlier invocation of this run";
                    step.outputs = e.get("outputs") instanceof Map<?, ?> m ? (Map<String, Object>) m : step.outputs;
                }
                case "approval" -> approvals.add(new RunRecord.Approval(stepId, Boolean.TRUE.equals(e.get("approved")),
                        text(firstOf(e, "by", "approver", "user")), text(firstOf(e, "how", "via", "method")), time));
                case "precondition" -> checks.add(new RunRecord.Check(text(e.get("check")), Boolean.TRUE.equals(e.get("holds")), time));
                case "deadline-exceeded" -> deadlineExceeded = true;
                case "run-finished", "run-interrupted" -> {
                    finished = time;
                    if (e.get("outputs") instanceof Map<?, ?> m && !m.isEmpty()) {
                        outputs = (Map<String, Object>) m;
                    }
                    String end = time;
                    steps.values().forEach(s -> s.close(end, "interrupted", null));
                }
                default -> { }
            }
        }
        List<RunRecord.StepRun> stepRuns = new ArrayList<>();
        for (Building b : steps.values()) {
            b.close(null, null, null); // still running when the journal ends (the process died)
            String started = b.attempts.isEmpty() ? null : b.attempts.get(0).started();
            stepRuns.add(new RunRecord.StepRun(b.id, b.name, b.uses, b.description, b.outcome, b.message, b.reused, started,
                    b.finished, b.durationMs, List.copyOf(b.attempts), b.outputs, List.copyOf(b.logs)));
        }
        Long duration = finished == null || summary.started() == null ? null
                : Duration.between(Instant.parse(summary.started()), Instant.parse(finished)).toMillis();
        RunRecord.Run run = new RunRecord.Run(summary.runId(), summary.runbook(), summary.file(), summary.target(),
                summary.status(), summary.message(), summary.started(), finished, duration, deadline, deadlineExceeded,
                summary.invocations(), outputs);
        return new RunRecord(RunRecord.FORMAT, run, summary.inputs(), checks, stepRuns, approvals, List.copyOf(corrections));
    }

    private static Object firstOf(Map<String, Object> e, String... names) {
        for (String n : names) {
            if (e.get(n) != null) {
                return e.get(n);
            }
        }
        return null;
    }

    private static String text(Object v) {
        return v == null ? null : String.valueOf(v);
    }

    private static int number(Object v, int fallback) {
        return v instanceof Number n ? n.intValue() : fallback;
    }
}
