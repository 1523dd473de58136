package dev.runbook.parse;

import dev.runbook.expr.Evaluator;
import dev.runbook.graph.StepGraph;
import dev.runbook.model.Runbook;
import dev.runbook.model.Step;
import dev.runbook.registry.ExecutorRegistry;

import java.util.List;
import java.util.Map;

/**
 * A runbook that passed every check, with what the planner and the engine need: each step
 * bound to its action (or to the runbook it calls), one graph per section, and the compiled
 * expressions.
 *
 * @param source the file's exact text, hashed into saved plans and run records
 */
public record ValidRunbook(Runbook runbook, String source, Map<String, BoundStep> steps, StepGraph main,
                           StepGraph onFailure, StepGraph cleanup, Evaluator evaluator) {

    public enum Section { MAIN, ON_FAILURE, FINALLY }

    /**
     * @param action the executor action, or null when the step calls another runbook
     * @param called the called runbook, or null
     */
    public record BoundStep(Step step, Section section, ExecutorRegistry.Resolved action, ValidRunbook called) {
        public String usesLabel() {
            return action != null ? action.qualifiedName() : "runbook " + step.uses();
        }
    }

    public StepGraph graph(Section section) {
        return switch (section) {
            case MAIN -> main;
            case ON_FAILURE -> onFailure;
            case FINALLY -> cleanup;
        };
    }

    public List<Step> stepsOf(Section section) {
        return switch (section) {
            case MAIN -> runbook.steps();
            case ON_FAILURE -> runbook.onFailure();
            case FINALLY -> runbook.cleanup();
        };
    }
}
