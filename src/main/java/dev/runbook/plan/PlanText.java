package dev.runbook.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.runbook.spi.Counts;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Renders a {@link Plan} for review: as text for people, as JSON for tools and CI diffs. */
public final class PlanText {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private PlanText() {
    }

    public static String json(Plan plan) {
        try {
            return JSON.writeValueAsString(plan) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Plan fromJson(String text) throws JsonProcessingException {
        return JSON.readValue(text, Plan.class);
    }

    public static String text(Plan plan) {
        StringBuilder out = new StringBuilder();
        out.append("Plan for runbook '").append(plan.runbook()).append("' (").append(plan.file()).append(")\n");
        out.append("  target: ").append(plan.target());
        out.append("    deadline: ").append(plan.deadline() == null ? "none" : plan.deadline());
        out.append('\n');
        if (!plan.problems().isEmpty()) {
            // first: what already fails today is what a reviewer must see before anything else
            out.append("\nProblems found (a run would stop here)\n");
            plan.problems().forEach(p -> out.append("  ✗ ").append(p).append('\n'));
        }
        if (!plan.touches().isEmpty()) {
            out.append("\nTouches\n");
            plan.touches().forEach(t -> out.append("  - ").append(t).append('\n'));
        }
        inputs(out, plan);
        if (!plan.preconditions().isEmpty()) {
            out.append("\nPreconditions\n");
            for (Plan.PlannedCheck c : plan.preconditions()) {
                String mark = switch (c.state()) {
                    case "holds" -> "✓ holds";
                    case "fails" -> "✗ FAILS";
                    default -> c.after().isEmpty() ? "? " + c.state()
                            : "? " + c.state() + (c.state().startsWith("decided") ? ", after " + String.join(", ", c.after()) : "");
                };
                // the message says what a failure means, so it is shown as such, never beside "holds"
                out.append("  ").append(mark).append("   ").append(c.check()).append('\n');
                if (c.message() != null && !c.state().equals("holds")) {
                    out.append("      ").append(c.state().equals("fails") ? "" : "if it fails: ").append(c.message()).append('\n');
                }
                if (!c.values().isEmpty()) {
                    out.append("      with ").append(String.join(", ", c.values())).append('\n');
                }
            }
        }
        int[] counter = {0};
        for (Plan.PlannedSection s : plan.sections()) {
            out.append('\n').append(title(s.name())).append('\n');
            section(out, s, "  ", counter);
        }
        long destructive = count(plan.sections(), true);
        long approvals = count(plan.sections(), false);
        out.append('\n').append(Counts.of(counter[0], "step"));
        if (destructive > 0) {
            out.append(", ").append(destructive).append(" DESTRUCTIVE");
        }
        if (approvals > 0) {
            out.append(", ").append(approvals).append(approvals == 1 ? " needs" : " need")
                    .append(" approval (--approve STEP or --yes)");
        }
        out.append(". Nothing was changed.\n");
        if (!plan.problems().isEmpty()) {
            out.append(Counts.of(plan.problems().size(), "problem"))
                    .append(" found now: see the top of this plan.\n");
        }
        if (!plan.warnings().isEmpty()) {
            out.append("\nWarnings\n");
            plan.warnings().forEach(w -> out.append("  ! ").append(w).append('\n'));
        }
        return out.toString();
    }

    private static void inputs(StringBuilder out, Plan plan) {
        if (!plan.inputHelp().isEmpty()) {
            out.append('\n').append(inputs(plan.inputHelp()));
        }
    }

    /** Every declared input: its value and where it came from, with its description; the ones not set say whether they must be. */
    public static String inputs(List<Plan.PlannedInput> inputs) {
        StringBuilder out = new StringBuilder("Inputs (give or change one with --input NAME=VALUE)\n");
        int width = inputs.stream().mapToInt(i -> i.name().length()).max().orElse(0);
        for (Plan.PlannedInput i : inputs) {
            out.append("  ").append(i.name()).append(" ".repeat(width - i.name().length()));
            if (i.value() == null) {
                out.append(i.required() ? "  (not set, required)" : "  (not set, optional)");
            } else {
                out.append(" = ").append(i.value().isEmpty() ? "\"\"" : i.value()).append("  (").append(i.source()).append(')');
            }
            if (i.description() != null) {
                out.append("  ").append(i.description());
            }
            out.append('\n');
        }
        return out.toString();
    }

    private static void section(StringBuilder out, Plan.PlannedSection s, String indent, int[] counter) {
        for (List<Plan.PlannedStep> wave : s.waves()) {
            boolean parallel = wave.size() > 1;
            for (int i = 0; i < wave.size(); i++) {
                Plan.PlannedStep p = wave.get(i);
                counter[0]++;
                String mark = !parallel ? "- " : i == 0 ? "┬ " : i == wave.size() - 1 ? "└ " : "├ ";
                out.append(indent).append(mark).append(p.id());
                if (p.name() != null) {
                    out.append("  ").append(p.name());
                }
                out.append("  [").append(p.uses()).append(']');
                if (parallel && i == 0) {
                    out.append("  (these ").append(wave.size()).append(" run in parallel)");
                }
                out.append('\n');
                String sub = indent + "    ";
                out.append(sub).append(p.description()).append('\n');
                if (p.destructive()) {
                    out.append(sub).append("!! DESTRUCTIVE: changes or deletes data\n");
                }
                if (p.needsApproval()) {
                    out.append(sub).append("needs approval: --approve ").append(p.id()).append(" or --yes\n");
                }
                for (String t : p.touches()) {
                    out.append(sub).append("touches: ").append(t).append('\n');
                }
                if (!p.decision().startsWith("skipped")) { // a skipped step needs nothing resolved
                    for (String problem : p.problems()) {
                        out.append(sub).append(p.decision().equals("runs") ? "✗ " : "! ").append(problem).append('\n');
                    }
                }
                if (!p.params().isEmpty()) {
                    out.append(sub).append("with: ").append(params(p.params())).append('\n');
                }
                if (!p.needs().isEmpty()) {
                    out.append(sub).append("after: ").append(String.join(", ", p.needs())).append('\n');
                }
                if (p.condition() != null) {
                    out.append(sub).append("if: ").append(p.condition()).append(" → ").append(p.decision()).append('\n');
                }
                StringBuilder policy = new StringBuilder();
                if (p.attempts() > 1) {
                    policy.append("retry: ").append(p.attempts()).append(" attempts, ").append(p.backoff())
                            .append(" delay ").append(p.retryDelay());
                }
                if (p.timeout() != null) {
                    policy.append(policy.length() > 0 ? "; " : "").append("timeout: ").append(p.timeout());
                }
                if (p.continueOnError()) {
                    policy.append(policy.length() > 0 ? "; " : "").append("continues on error");
                }
                if (policy.length() > 0) {
                    out.append(sub).append(policy).append('\n');
                }
                if (p.probe() != null) {
                    out.append(sub).append("now: ").append(p.probe().replace("\n", "\n" + sub + "     ")).append('\n');
                }
                if (p.probeProblem() != null) {
                    out.append(sub).append("now: ✗ could not look: ").append(p.probeProblem()).append('\n');
                }
                for (Plan.PlannedSection called : p.calls()) {
                    out.append(sub).append(title(called.name())).append(" of ").append(p.uses()).append(":\n");
                    section(out, called, sub + "  ", counter);
                }
            }
        }
    }

    private static String params(Map<String, String> params) {
        return params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String title(String section) {
        return switch (section) {
            case "main" -> "Steps";
            case "on-failure" -> "On failure";
            case "finally" -> "Finally (always)";
            default -> section;
        };
    }

    private static long count(List<Plan.PlannedSection> sections, boolean destructive) {
        long n = 0;
        for (Plan.PlannedSection s : sections) {
            for (List<Plan.PlannedStep> wave : s.waves()) {
                for (Plan.PlannedStep p : wave) {
                    n += (destructive ? p.destructive() : p.needsApproval()) ? 1 : 0;
                    n += count(p.calls(), destructive);
                }
            }
        }
        return n;
    }
}
