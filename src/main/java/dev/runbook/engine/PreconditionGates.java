package dev.runbook.engine;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Scope;
import dev.runbook.graph.StepGraph;
import dev.runbook.model.Precondition;
import dev.runbook.parse.ValidRunbook;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Preconditions that read step outputs ("the backup to restore is younger than 26 h"): until
 * one is decided only the steps it reads (and what they need) may start, so nothing changes
 * before it holds; it is checked as soon as those steps have ended.
 */
final class PreconditionGates {

    private final RunState run;

    PreconditionGates(RunState run) {
        this.run = run;
    }

    /** Until every gate is decided, only the steps they read (and what those need) may start. */
    static Set<String> allowedBeforeGates(ValidRunbook valid, StepGraph graph, List<Precondition> gates, Scope scope) {
        Set<String> allowed = null;
        for (Precondition p : gates) {
            Set<String> reads = readsSteps(valid, p);
            if (reads.isEmpty()) {
                continue;
            }
            if (allowed == null) {
                allowed = new LinkedHashSet<>();
            }
            for (String id : reads) {
                if (graph.steps().contains(id)) {
                    allowed.addAll(ancestorsAndSelf(graph, id));
                }
            }
        }
        return allowed;
    }

    static Set<String> readsSteps(ValidRunbook valid, Precondition p) {
        String expr = p.check().trim();
        if (expr.startsWith("${{") && expr.endsWith("}}")) {
            expr = expr.substring(3, expr.length() - 2).trim();
        }
        try {
            return valid.evaluator().expressions().compile(expr).steps();
        } catch (ExpressionException e) {
            return Set.of();
        }
    }

    private static Set<String> ancestorsAndSelf(StepGraph graph, String id) {
        Set<String> out = new LinkedHashSet<>();
        List<String> todo = new ArrayList<>(List.of(id));
        while (!todo.isEmpty()) {
            String s = todo.remove(todo.size() - 1);
            if (out.add(s)) {
                todo.addAll(graph.dependenciesOf(s));
            }
        }
        return out;
    }

    /**
     * Decides the gates that can be decided now. A failing one fails the run: journaled, the
     * scope's status set to failed, and its message returned ("precondition failed: ..."); null
     * when none failed.
     */
    String apply(ValidRunbook valid, List<Precondition> gates, Scope scope) {
        if (gates.isEmpty()) {
            return null;
        }
        String failedGate = checkGates(valid, gates, scope);
        if (failedGate == null) {
            return null;
        }
        String why = "precondition failed: " + failedGate;
        run.journal.append("precondition-failed", Map.of("message", failedGate));
        run.listener.note(why);
        scope.status(scope.status().failedBecause(why, run.cancelled));
        return why;
    }

    /**
     * Evaluates every gate that can be decided now; removes decided ones; returns the first that
     * fails. A gate whose step ended without succeeding (skipped by its {@code if:}, or failed
     * under {@code continue-on-error}) has nothing to read: it fails, because nothing may change
     * before it holds. It is moot only when the run fails already (nothing else starts then).
     */
    private String checkGates(ValidRunbook valid, List<Precondition> gates, Scope scope) {
        String failed = null;
        for (Precondition p : new ArrayList<>(gates)) {
            Set<String> reads = readsSteps(valid, p);
            if (reads.isEmpty()) {
                gates.remove(p); // decided before the first step
                continue;
            }
            String unread = reads.stream().filter(id -> scope.ended(id) && !scope.succeeded(id)).findFirst().orElse(null);
            if (unread != null) {
                gates.remove(p);
                if (scope.status().failed() || run.cancelled) {
                    continue; // moot: the run fails already, and no step that changes anything starts
                }
                String why = "`" + p.check() + "` could not be decided: step '" + unread + "' " + notSucceeded(scope.statusOf(unread));
                run.journal.append("precondition", Map.of("check", p.check(), "undecided", why));
                if (failed == null) {
                    failed = why;
                }
                continue;
            }
            try {
                Boolean holds = valid.evaluator().condition(p.check(), scope);
                if (holds == null) {
                    continue;
                }
                gates.remove(p);
                run.journal.append("precondition", Map.of("check", p.check(), "holds", holds));
                if (!holds && failed == null) {
                    failed = p.message() != null ? p.message() : p.check();
                }
            } catch (ExpressionException e) {
                gates.remove(p);
                failed = p.check() + ": " + e.getMessage();
            }
        }
        return failed;
    }

    private static String notSucceeded(String status) {
        return switch (status) {
            case "skipped" -> "was skipped";
            case "failed-ignored" -> "failed (continue-on-error)";
            default -> "ended " + status;
        };
    }
}
