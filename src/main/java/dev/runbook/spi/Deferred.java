package dev.runbook.spi;

import java.util.List;

/**
 * A parameter value that is only known at run time (it reads another step's outputs).
 * Appears only while planning; {@link Params#display} shows the expression instead, or, when the
 * expression is too long to read in a plan line, the steps it waits for.
 *
 * @param expression the source text, e.g. {@code steps.find.outputs.key}
 * @param steps      the steps whose outputs it reads (may be empty when unknown)
 */
public record Deferred(String expression, List<String> steps) {

    /** Past this length a plan line shows which steps the value comes from, not the expression. */
    private static final int READABLE = 60;

    public Deferred {
        steps = List.copyOf(steps);
    }

    public Deferred(String expression) {
        this(expression, List.of());
    }

    @Override
    public String toString() {
        if (expression.length() <= READABLE || steps.isEmpty()) {
            return "<" + expression + ">";
        }
        return "<known at run time, from " + (steps.size() == 1 ? "step " : "steps ") + String.join(", ", steps) + ">";
    }
}
