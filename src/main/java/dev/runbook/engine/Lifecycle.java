package dev.runbook.engine;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Expressions;
import dev.runbook.expr.Scope;
import dev.runbook.model.Precondition;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.plan.Invocation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lifecycle of one {@link Invocation}, the same for a top-level run and for a step that
 * calls another runbook: preconditions, the main steps, {@code on-failure} when they failed,
 * {@code finally} always, then the runbook's outputs. Every step of every section ends in
 * exactly one recorded state, even those that never start.
 */
final class Lifecycle {

    /**
     * @param message why it failed (a precondition, an output), or null: the caller summarises
     * @param outputs the runbook's outputs (unmasked), when it succeeded
     */
    record Result(Outcome outcome, String message, Map<String, Object> outputs) {
    }

    private final RunState run;
    private final SectionRunner runner;

    Lifecycle(RunState run, int maxParallel) {
        this.run = run;
        this.runner = new SectionRunner(run, maxParallel, this);
    }

    Result run(Invocation inv) {
        ValidRunbook valid = inv.runbook();
        Scope scope = inv.scope();
        List<String> problems = new ArrayList<>();
        Outcome outcome = Outcome.SUCCEEDED;
        for (Section section : inv.sections()) { // the order, and which run, are the invocation's
            if (section != Section.MAIN) {
                scope.status(new Expressions.RunStatus(outcome.failure(), run.cancelled, scope.status().why()));
            }
            if (!Invocation.runs(section, outcome.failure())) {
                runner.skipAll(inv, section, StepEnd.skipped("not needed: the main steps did not fail"));
            } else if (section == Section.MAIN) {
                outcome = main(inv, problems);
            } else if (section == Section.ON_FAILURE) {
                runner.run(inv, section, List.of(), problems); // the run has failed already, whatever these do
            } else {
                outcome = Outcome.worst(outcome, runner.run(inv, section, List.of(), problems));
            }
        }
        Map<String, Object> outputs = new LinkedHashMap<>();
        if (!outcome.failure()) {
            for (Map.Entry<String, String> e : valid.runbook().outputs().entrySet()) {
                try {
                    outputs.put(e.getKey(), valid.evaluator().resolve(e.getValue(), scope));
                } catch (ExpressionException ex) {
                    problems.add("output " + e.getKey() + ": " + ex.getMessage());
                    outcome = Outcome.FAILED;
                    break;
                }
            }
        }
        // a run whose failures were all allowed (continue-on-error) or skipped has succeeded
        Outcome rolledUp = outcome.failure() ? outcome : Outcome.SUCCEEDED;
        return new Result(rolledUp, problems.isEmpty() ? null : problems.get(0), outputs);
    }

    /** The main steps, after the preconditions that can be decided before any step. */
    private Outcome main(Invocation inv, List<String> problems) {
        ValidRunbook valid = inv.runbook();
        String failedPrecondition = checkPreconditions(valid, inv.scope());
        if (failedPrecondition == null) {
            return runner.run(inv, Section.MAIN, valid.runbook().preconditions(), problems);
        }
        String why = "precondition failed: " + failedPrecondition;
        run.journal.append("precondition-failed", Map.of("message", failedPrecondition));
        run.listener.note(why);
        problems.add(why);
        inv.scope().status(inv.scope().status().failedBecause(why, run.cancelled));
        runner.skipAll(inv, Section.MAIN, StepEnd.notStarted(why));
        return Outcome.FAILED;
    }

    /** Preconditions that read only inputs, env and run are checked before any step; null when all hold. */
    private String checkPreconditions(ValidRunbook valid, Scope scope) {
        for (Precondition p : valid.runbook().preconditions()) {
            try {
                Boolean holds = valid.evaluator().condition(p.check(), scope);
                if (holds == null) {
                    continue; // reads step outputs: checked as soon as they exist
                }
                run.journal.append("precondition", Map.of("check", p.check(), "holds", holds));
                if (!holds) {
                    return p.message() != null ? p.message() : p.check();
                }
            } catch (ExpressionException e) {
                return p.check() + ": " + e.getMessage();
            }
        }
        return null;
    }

    void shutdown() {
        runner.shutdown();
    }
}
