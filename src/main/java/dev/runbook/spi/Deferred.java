package dev.runbook.spi;

/**
 * A parameter value that is only known at run time (it reads another step's outputs).
 * Appears only while planning; {@link Params#display} shows the expression instead.
 *
 * @param expression the source text, e.g. {@code steps.find.outputs.key}
 */
public record Deferred(String expression) {

    @Override
    public String toString() {
        return "<" + expression + ">";
    }
}
