package dev.runbook.cli;

import dev.runbook.engine.RunHistory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code runbook show RUN_ID}: a run's journal, readable; {@code --json} for the run as one
 * JSON document (the raw events stay in the journal file, JSON Lines).
 */
@Command(name = "show", mixinStandardHelpOptions = true, description = "Show one run: every step, attempt, output and log line from its journal."
        + " RUN is a run id, a unique prefix of one, or `last`.")
final class ShowCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(index = "0", paramLabel = "RUN")
    String runRef;

    @Option(names = "--json", description = "print the run as one JSON document (docs/run-record.md); "
            + "the raw events are the JSON Lines of .runbook/runs/RUN_ID/journal.jsonl")
    boolean json;

    @Mixin
    StateOptions state = new StateOptions();

    ShowCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        RunHistory.RunSummary run = state.run(cli, runRef);
        if (json) {
            cli.out().println(RunJson.of(run));
            return ExitCodes.OK;
        }
        cli.out().println("Run " + run.runId() + " of runbook '" + run.runbook() + "' (" + run.file() + ")");
        cli.out().println("  target: " + run.target() + "   started: " + run.started() + "   status: " + run.status()
                + (run.message() != null ? " (" + run.message() + ")" : ""));
        if (!run.inputs().isEmpty()) {
            cli.out().println("  inputs: " + run.inputs());
        }
        cli.out().println();
        java.util.Set<Object> started = new java.util.HashSet<>();
        for (Map<String, Object> e : run.events()) {
            // a step's name: label goes with its first line (started, or ended without starting)
            String label = e.get("name") != null && started.add(e.get("step")) ? " (" + e.get("name") + ")" : "";
            String line = switch (String.valueOf(e.get("event"))) {
                case "run-started" -> "== " + (Boolean.TRUE.equals(e.get("resumed")) ? "resumed" : "started") + " (pid " + e.get("pid") + ")"
                        + inputsChanged(e.get("inputs_changed"));
                case "step-started" -> "▶ " + e.get("step") + label + " attempt " + e.get("attempt") + "/" + e.get("of") + ": " + e.get("description");
                case "step-log" -> "    " + e.get("step") + " │ " + e.get("line"); // parallel steps interleave
                case "attempt-failed" -> "  ! attempt " + e.get("attempt") + " failed: " + e.get("message");
                case "step-finished" -> ("succeeded".equals(e.get("outcome")) ? "✓ " : "• ")
                        + e.get("step") + label + " " + e.get("outcome") + " in " + e.get("duration_ms") + " ms"
                        + (e.get("message") != null ? ": " + e.get("message") : "")
                        + (e.get("outputs") instanceof Map<?, ?> m && !m.isEmpty() ? "\n    outputs: " + shorten(m) : "");
                case "step-reused" -> "= " + e.get("step") + label + " kept from an earlier attempt (" + e.get("outcome") + ")";
                case "approval" -> "  approval for " + e.get("step") + ": " + (Boolean.TRUE.equals(e.get("approved")) ? "given" : "refused")
                        + (e.get("how") != null ? " (" + e.get("how") + ")" : "")
                        + (e.get("user") != null ? " by " + e.get("user") : "")
                        + (e.get("sudo_user") != null ? " (sudo from " + e.get("sudo_user") + ")" : "")
                        + (e.get("at") != null ? " at " + e.get("at") : "");
                case "run-cancelled" -> "== cancelled: " + e.get("reason") + "; on-failure and finally get up to "
                        + dev.runbook.spi.Durations.literal(java.time.Duration.ofMillis(((Number) e.get("grace_ms")).longValue()));
                case "grace-ended" -> "  ! " + e.get("reason");
                case "precondition" -> "  precondition " + e.get("check") + ": " + (Boolean.TRUE.equals(e.get("holds")) ? "holds" : "FAILS");
                case "precondition-failed" -> "  ! precondition failed: " + e.get("message");
                case "run-finished" -> "== finished: " + e.get("outcome") + " in " + e.get("duration_ms") + " ms: " + e.get("message");
                case "run-interrupted" -> "== interrupted";
                case "deadline-exceeded" -> "  ! deadline exceeded";
                default -> null;
            };
            if (line != null) {
                cli.out().println(String.valueOf(e.get("time")).substring(11, 19) + " " + line);
            }
        }
        return ExitCodes.OK;
    }

    /** The inputs a resume corrected ({@code resume --input}), one per line. */
    private static String inputsChanged(Object changed) {
        if (!(changed instanceof Map<?, ?> m) || m.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder();
        m.forEach((name, change) -> {
            Map<?, ?> c = change instanceof Map<?, ?> cm ? cm : Map.of();
            out.append("\n    input corrected: ").append(name).append(": ").append(c.get("from")).append(" → ").append(c.get("to"));
        });
        return out.toString();
    }

    /** Long outputs (an HTTP body) are cut in this view; `show --json` has them whole. */
    private static String shorten(Map<?, ?> outputs) {
        StringBuilder out = new StringBuilder("{");
        outputs.forEach((k, v) -> {
            String text = String.valueOf(v).replace('\n', ' ');
            out.append(out.length() > 1 ? ", " : "").append(k).append('=')
                    .append(text.length() > 120 ? text.substring(0, 120) + "… (" + text.length() + " chars)" : text);
        });
        return out.append('}').toString();
    }
}
