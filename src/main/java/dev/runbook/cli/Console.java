package dev.runbook.cli;

import dev.runbook.engine.Outcome;
import dev.runbook.engine.RunListener;
import dev.runbook.engine.RunResult;
import dev.runbook.spi.ByteSizes;
import dev.runbook.spi.Durations;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shows a run to the person at the keyboard: each step's start and end with its time, the
 * output of tools indented under it, progress as a bar on a terminal (a plain line every few
 * seconds otherwise), and a summary table at the end. Everything it gets is already masked.
 */
final class Console implements RunListener {

    private static final String RESET = "\u001b[0m";
    private final PrintWriter out;
    private final boolean terminal;
    private final Map<String, Long> lastProgress = new ConcurrentHashMap<>();
    private boolean progressLineOpen;
    private String lastStarted;

    Console(PrintWriter out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public synchronized void runStarted(String runId, String runbook, String target, boolean resumed) {
        println((resumed ? "Resuming" : "Running") + " runbook '" + runbook + "' against target " + target + " (run " + runId + ")");
    }

    @Override
    public synchronized void stepStarted(String stepId, String description, int attempt, int attempts) {
        lastStarted = stepId;
        println(color("1;34", "▶ " + stepId) + (attempts > 1 ? " (attempt " + attempt + "/" + attempts + ")" : "")
                + "  " + description);
    }

    @Override
    public synchronized void stepLog(String stepId, String level, String line) {
        String prefix = switch (level) {
            case "warn" -> color("33", "  ! ");
            case "output" -> "  │ ";
            default -> "  · ";
        };
        // when parallel steps interleave, say whose line it is
        println(prefix + (stepId.equals(lastStarted) ? "" : "[" + stepId + "] ") + line);
    }

    @Override
    public synchronized void stepProgress(String stepId, String what, long done, long total) {
        long now = System.nanoTime();
        Long last = lastProgress.get(stepId);
        long every = terminal ? 200_000_000L : 5_000_000_000L;
        if (last != null && now - last < every && (total <= 0 || done < total)) {
            return;
        }
        lastProgress.put(stepId, now);
        String figures = ByteSizes.human(done) + (total > 0 ? " of " + ByteSizes.human(total) + String.format(Locale.ROOT, " (%d%%)", done * 100 / total) : "");
        if (terminal) {
            String bar = "";
            if (total > 0) {
                int filled = (int) (30 * done / total);
                bar = "[" + "#".repeat(filled) + " ".repeat(30 - filled) + "] ";
            }
            out.print("\r  " + what + " " + bar + figures + "   ");
            out.flush();
            progressLineOpen = true;
        } else {
            println("  · " + what + ": " + figures);
        }
    }

    @Override
    public synchronized void stepFinished(String stepId, Outcome outcome, Duration took, String message) {
        lastProgress.remove(stepId);
        String symbol = switch (outcome) {
            case SUCCEEDED -> color("32", "✓");
            case SKIPPED -> color("90", "○");
            case FAILED_IGNORED -> color("33", "✗");
            default -> color("31", "✗");
        };
        println(symbol + " " + stepId + "  " + outcome.label() + "  " + Durations.format(took)
                + (message != null ? "  " + message : ""));
    }

    @Override
    public synchronized void note(String message) {
        println(color("33", "! " + message));
    }

    @Override
    public synchronized void runFinished(RunResult result) {
        println("");
        println(String.format(Locale.ROOT, "%-36s %-15s %9s %8s", "STEP", "RESULT", "TIME", "ATTEMPTS"));
        for (RunResult.StepResult s : result.steps()) {
            println(String.format(Locale.ROOT, "%-36s %-15s %9s %8s", s.id(), s.outcome().label() + (s.reused() ? " (earlier)" : ""),
                    Durations.format(s.took()), s.attempts()));
        }
        if (!result.outputs().isEmpty()) {
            println("");
            println("Outputs");
            result.outputs().forEach((k, v) -> println("  " + k + ": " + v));
        }
        println("");
        String headline = "Run " + result.runId() + ": " + result.outcome().label().toUpperCase(Locale.ROOT)
                + " in " + Durations.format(result.took()) + " (" + result.message() + ")";
        println(result.outcome().failure() ? color("1;31", headline) : color("1;32", headline));
        if (result.outcome().failure()) {
            println("Journal: runbook show " + result.runId() + "    Continue after a fix: runbook resume " + result.runId());
        }
    }

    private void println(String line) {
        if (progressLineOpen) {
            out.println();
            progressLineOpen = false;
        }
        out.println(line);
        out.flush();
    }

    private String color(String code, String text) {
        return terminal ? "\u001b[" + code + "m" + text + RESET : text;
    }

}
