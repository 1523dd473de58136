package dev.runbook.report;

import dev.runbook.spi.Counts;
import dev.runbook.spi.Durations;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run as one self-contained HTML page for the post-incident review: inline CSS, no script,
 * nothing fetched from the network. A timeline with one lane per parallel branch and each
 * attempt as a bar coloured by its outcome, the deadline marked; approvals with who and when;
 * preconditions; inputs and outputs (masked in the journal already); each step's log
 * collapsible. Every text from the journal is HTML-escaped.
 */
public final class HtmlReport {

    private static final String CSS = """
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1200px}
            h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #dde}
            .status{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:600}
            .outcome-succeeded{background:#2e8540}.outcome-failed{background:#c62828}.outcome-cancelled{background:#6d4c41}
            .outcome-interrupted{background:#8e24aa}.outcome-skipped{background:#9e9e9e}.outcome-failed-ignored{background:#ef8f00}
            .outcome-running{background:#1565c0}
            .timeline{position:relative;border:1px solid #ccd;border-radius:4px;padding:8px 0;background:#fafbfd}
            .lane{position:relative;height:26px;margin:4px 0;border-bottom:1px dashed #e3e6ee}
            .lane-label{position:absolute;left:4px;top:4px;font-size:11px;color:#778}
            .track{position:absolute;left:70px;right:12px;top:0;bottom:0}
            .bar{position:absolute;top:3px;height:20px;border-radius:3px;color:#fff;font-size:11px;overflow:hidden;
                 white-space:nowrap;padding:0 2px;box-sizing:border-box;line-height:20px}
            .deadline{position:absolute;top:0;bottom:0;border-left:2px dashed #c62828}
            .deadline span{position:absolute;top:-2px;left:4px;font-size:11px;color:#c62828;white-space:nowrap}
            .axis{display:flex;justify-content:space-between;margin:4px 12px 0 70px;font-size:11px;color:#778}
            table{border-collapse:collapse;margin:4px 0}td,th{border:1px solid #dde;padding:3px 8px;text-align:left;vertical-align:top}
            th{background:#f1f3f8}details{margin:6px 0;border:1px solid #dde;border-radius:4px;padding:4px 8px}
            summary{cursor:pointer;font-weight:600}pre{background:#f6f7fa;padding:8px;overflow:auto;font-size:12px;margin:6px 0}
            .muted{color:#778}.name{font-weight:400}.legend span{margin-right:10px;padding:1px 6px;border-radius:3px;color:#fff;font-size:11px}
            """;

    private HtmlReport() {
    }

    public static String render(RunRecord record) {
        RunRecord.Run run = record.run();
        StringBuilder out = new StringBuilder(16_384);
        out.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width\">")
                .append("<title>Run ").append(esc(run.id())).append(" of ").append(esc(run.runbook())).append("</title>")
                .append("<style>").append(CSS).append("</style></head>\n<body>\n");
        out.append("<h1>Run ").append(esc(run.id())).append(" of runbook ").append(esc(run.runbook())).append("</h1>\n");
        out.append("<p><span class=\"status outcome-").append(cls(run.status())).append("\" id=\"run-status\">")
                .append(esc(run.status())).append("</span> ").append(esc(run.message() == null ? "" : run.message())).append("</p>\n");
        out.append("<table class=\"facts\"><tr><th>file</th><td>").append(esc(run.file())).append("</td></tr>")
                .append("<tr><th>target</th><td>").append(esc(run.target())).append("</td></tr>")
                .append("<tr><th>started</th><td>").append(esc(run.started())).append("</td></tr>")
                .append("<tr><th>finished</th><td>").append(esc(run.finished() == null ? "(no end recorded: interrupted)" : run.finished()))
                .append(run.durationMs() == null ? "" : " (" + esc(Durations.format(Duration.ofMillis(run.durationMs()))) + ")")
                .append("</td></tr>")
                .append("<tr><th>deadline</th><td>").append(esc(run.deadline() == null ? "none" : run.deadline()))
                .append(run.deadlineExceeded() ? " <strong>exceeded</strong>" : "").append("</td></tr>")
                .append("<tr><th>invocations</th><td>").append(run.invocations()).append(run.invocations() > 1 ? " (resumed)" : "")
                .append("</td></tr></table>\n");
        timeline(out, record);
        approvals(out, record.approvals());
        if (!record.preconditions().isEmpty()) {
            out.append("<h2>Preconditions</h2>\n<table id=\"preconditions\"><tr><th>check</th><th>result</th><th>when</th></tr>");
            for (RunRecord.Check c : record.preconditions()) {
                out.append("<tr><td><code>").append(esc(c.check())).append("</code></td><td>").append(c.holds() ? "✓ holds" : "✗ fails")
                        .append("</td><td>").append(esc(c.time())).append("</td></tr>");
            }
            out.append("</table>\n");
        }
        out.append("<h2>Inputs</h2>\n");
        map(out, "inputs", record.inputs());
        out.append("<h2>Steps</h2>\n");
        for (RunRecord.StepRun s : record.steps()) {
            step(out, s);
        }
        out.append("<h2>Outputs of the run</h2>\n");
        map(out, "run-outputs", run.outputs());
        out.append("<p class=\"muted\">Made by runbook from the run's journal; secrets were masked before they were written.</p>\n");
        return out.append("</body></html>\n").toString();
    }

    /** Bars: one per attempt, in lanes so that steps running at the same time never share one. */
    /** The narrowest bar drawn, in percent of the timeline: wide enough to see and to hover. */
    private static final double MIN_BAR_PCT = 1.0;

    private static void timeline(StringBuilder out, RunRecord record) {
        out.append("<h2>Timeline</h2>\n");
        List<RunRecord.StepRun> drawn = record.steps().stream().filter(s -> s.started() != null).toList();
        if (drawn.isEmpty()) {
            out.append("<p class=\"muted\" id=\"timeline\">no step started</p>\n");
            return;
        }
        Instant start = Instant.parse(record.run().started());
        Instant end = start;
        for (RunRecord.StepRun s : drawn) {
            for (RunRecord.Attempt a : s.attempts()) {
                end = max(end, Instant.parse(a.started()));
                if (a.finished() != null) {
                    end = max(end, Instant.parse(a.finished()));
                }
            }
        }
        if (record.run().finished() != null) {
            end = max(end, Instant.parse(record.run().finished()));
        }
        Instant deadline = record.run().deadline() == null ? null : Instant.parse(record.run().deadline());
        // the deadline is drawn when it falls within the run, or not far beyond it
        long spanMs = Math.max(1, Duration.between(start, end).toMillis());
        if (deadline != null && deadline.isAfter(end) && Duration.between(start, deadline).toMillis() <= spanMs * 3 / 2) {
            end = deadline;
            spanMs = Math.max(1, Duration.between(start, end).toMillis());
        }
        // lanes are assigned by what is drawn (a short attempt still gets a visible bar), so two bars
        // in one lane never overlap on screen, however fast the steps were
        List<Double> laneEnds = new ArrayList<>();
        List<StringBuilder> lanes = new ArrayList<>();
        for (RunRecord.StepRun s : drawn) {
            double from = pct(Duration.between(start, Instant.parse(s.started())).toMillis(), spanMs);
            double to = from;
            for (RunRecord.Attempt a : s.attempts()) {
                Instant aFrom = Instant.parse(a.started());
                Instant aTo = a.finished() == null ? end : Instant.parse(a.finished());
                to = Math.max(to, pct(Duration.between(start, aFrom).toMillis(), spanMs)
                        + Math.max(MIN_BAR_PCT, pct(Duration.between(aFrom, aTo).toMillis(), spanMs)));
            }
            int lane = 0;
            while (lane < laneEnds.size() && laneEnds.get(lane) > from) {
                lane++;
            }
            if (lane == laneEnds.size()) {
                laneEnds.add(to);
                lanes.add(new StringBuilder());
            } else {
                laneEnds.set(lane, to);
            }
            for (RunRecord.Attempt a : s.attempts()) {
                Instant aFrom = Instant.parse(a.started());
                Instant aTo = a.finished() == null ? end : Instant.parse(a.finished());
                double left = pct(Duration.between(start, aFrom).toMillis(), spanMs);
                double width = Math.max(MIN_BAR_PCT, pct(Duration.between(aFrom, aTo).toMillis(), spanMs));
                String outcome = a.outcome() == null ? "running" : a.outcome();
                String title = s.id() + (s.name() != null ? " (" + s.name() + ")" : "") + " attempt " + a.number() + "/" + a.of() + ": " + outcome + ", "
                        + Durations.format(Duration.between(aFrom, aTo)) + " from " + a.started()
                        + (a.message() != null ? " — " + a.message() : "");
                lanes.get(lane).append("<div class=\"bar outcome-").append(cls(outcome)).append("\" data-step=\"")
                        .append(esc(s.id())).append("\" data-attempt=\"").append(a.number()).append("\" data-outcome=\"")
                        .append(esc(outcome)).append("\" style=\"left:").append(fmt(left)).append("%;width:").append(fmt(width))
                        .append("%\" title=\"").append(esc(title)).append("\">").append(esc(s.id()))
                        .append(a.of() > 1 ? " #" + a.number() : "").append("</div>");
            }
        }
        out.append("<div class=\"legend\"><span class=\"outcome-succeeded\">succeeded</span><span class=\"outcome-failed\">failed</span>")
                .append("<span class=\"outcome-failed-ignored\">failed, ignored</span><span class=\"outcome-cancelled\">cancelled</span>")
                .append("<span class=\"outcome-interrupted\">interrupted</span><span class=\"outcome-skipped\">skipped</span></div>\n");
        out.append("<div class=\"timeline\" id=\"timeline\">\n");
        for (int i = 0; i < lanes.size(); i++) {
            out.append("<div class=\"lane\" data-lane=\"").append(i + 1).append("\"><span class=\"lane-label\">lane ")
                    .append(i + 1).append("</span><div class=\"track\">").append(lanes.get(i)).append("</div></div>\n");
        }
        if (deadline != null && !deadline.isAfter(end)) {
            out.append("<div class=\"track\" style=\"top:0;bottom:0\"><div class=\"deadline\" id=\"deadline\" style=\"left:")
                    .append(fmt(pct(Duration.between(start, deadline).toMillis(), spanMs))).append("%\"><span>deadline ")
                    .append(esc(deadline.toString())).append("</span></div></div>\n");
        }
        out.append("</div>\n<div class=\"axis\"><span>").append(esc(start.toString())).append("</span><span>+")
                .append(esc(Durations.format(Duration.ofMillis(spanMs)))).append("</span></div>\n");
        if (deadline != null && deadline.isAfter(end)) {
            out.append("<p class=\"muted\" id=\"deadline\">deadline ").append(esc(deadline.toString())).append(" (")
                    .append(esc(Durations.format(Duration.between(end, deadline)))).append(" after the last step: not drawn)</p>\n");
        }
    }

    private static void approvals(StringBuilder out, List<RunRecord.Approval> approvals) {
        out.append("<h2>Approvals</h2>\n");
        if (approvals.isEmpty()) {
            out.append("<p class=\"muted\">no step needed approval</p>\n");
            return;
        }
        out.append("<table id=\"approvals\"><tr><th>step</th><th>decision</th><th>by</th><th>how</th><th>when</th></tr>");
        for (RunRecord.Approval a : approvals) {
            out.append("<tr class=\"approval\"><td>").append(esc(a.step())).append("</td><td>").append(a.approved() ? "approved" : "refused")
                    .append("</td><td>").append(esc(a.by() == null ? "not recorded" : a.by())).append("</td><td>")
                    .append(esc(a.how() == null ? "not recorded" : a.how())).append("</td><td>").append(esc(a.time()))
                    .append("</td></tr>");
        }
        out.append("</table>\n");
    }

    private static void step(StringBuilder out, RunRecord.StepRun s) {
        String outcome = s.outcome() == null ? "did not end" : s.outcome();
        out.append("<details class=\"step\" id=\"step-").append(esc(s.id())).append("\"><summary><span class=\"status outcome-")
                .append(cls(s.outcome() == null ? "interrupted" : s.outcome())).append("\">").append(esc(outcome)).append("</span> ")
                .append(esc(s.id())).append(s.name() == null ? "" : " <span class=\"name\">" + esc(s.name()) + "</span>")
                .append(s.uses() == null ? "" : " <span class=\"muted\">[" + esc(s.uses()) + "]</span>")
                .append(s.durationMs() == null ? "" : " in " + esc(Durations.format(Duration.ofMillis(s.durationMs()))))
                .append(", ").append(Counts.of(s.attempts().size(), "attempt"))
                .append(s.logs().isEmpty() ? "" : ", " + Counts.of(s.logs().size(), "log line"))
                .append("</summary>\n");
        if (s.description() != null) {
            out.append("<p>").append(esc(s.description())).append("</p>");
        }
        if (s.message() != null) {
            out.append("<p><strong>").append(esc(s.message())).append("</strong></p>");
        }
        if (!s.attempts().isEmpty()) {
            out.append("<table class=\"attempts\"><tr><th>attempt</th><th>started</th><th>ended</th><th>outcome</th><th>message</th></tr>");
            for (RunRecord.Attempt a : s.attempts()) {
                out.append("<tr><td>").append(a.number()).append('/').append(a.of()).append("</td><td>").append(esc(a.started()))
                        .append("</td><td>").append(esc(a.finished() == null ? "" : a.finished())).append("</td><td>")
                        .append(esc(a.outcome() == null ? "running" : a.outcome())).append("</td><td>")
                        .append(esc(a.message() == null ? "" : a.message())).append("</td></tr>");
            }
            out.append("</table>");
        }
        if (!s.outputs().isEmpty()) {
            out.append("<p>outputs</p>");
            map(out, "outputs-" + s.id(), s.outputs());
        }
        if (!s.logs().isEmpty()) {
            out.append("<pre class=\"log\">");
            for (RunRecord.LogLine l : s.logs()) {
                out.append(esc(l.time() == null || l.time().length() < 19 ? "" : l.time().substring(11, 19))).append(' ')
                        .append("warn".equals(l.level()) ? "! " : "").append(esc(l.line())).append('\n');
            }
            out.append("</pre>");
        }
        out.append("</details>\n");
    }

    private static void map(StringBuilder out, String id, Map<String, Object> values) {
        if (values == null || values.isEmpty()) {
            out.append("<p class=\"muted\">none</p>\n");
            return;
        }
        out.append("<table id=\"").append(esc(id)).append("\">");
        values.forEach((k, v) -> out.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(String.valueOf(v)))
                .append("</td></tr>"));
        out.append("</table>\n");
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static double pct(long part, long whole) {
        return Math.min(100.0, Math.max(0.0, part * 100.0 / whole));
    }

    private static String fmt(double v) {
        return String.format(java.util.Locale.ROOT, "%.3f", v);
    }

    private static String cls(String outcome) {
        return outcome == null ? "running" : outcome.replaceAll("[^a-z-]", "");
    }

    static String esc(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}
