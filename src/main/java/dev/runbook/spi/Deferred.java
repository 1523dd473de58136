package dev.runbook.spi;

import java.util.List;

/**
 * A parameter value that is only known at run time (it reads another step's outputs).
 * Appears only while planning; {@link Params#display} shows {@code ⟨from EXPRESSION⟩} instead, or, when the
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

    /** The one form a value known only at run time takes everywhere in a plan. */
    public static String shown(String source) {
        return "⟨from " + source + "⟩";
    }

    /** The outputs a long expression reads, e.g. {@code steps.db-address.outputs.host}. */
    private static final java.util.regex.Pattern OUTPUT = java.util.regex.Pattern.compile(
            "\\bsteps\\.[A-Za-z0-9_-]+\\.outputs\\.[A-Za-z0-9_-]+");

    /** One {@code ${{ ... }}} of a template text. */
    private static final java.util.regex.Pattern TEMPLATE_EXPR = java.util.regex.Pattern.compile("\\$\\{\\{\\s*(.*?)\\s*}}");

    @Override
    public String toString() {
        if (expression.contains("${{")) {
            // a template: its text stays, each expression in it becomes ⟨from ...⟩
            return TEMPLATE_EXPR.matcher(expression).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                    new Deferred(m.group(1), steps).toString()));
        }
        if (expression.length() <= READABLE || steps.isEmpty()) {
            return shown(expression);
        }
        java.util.Set<String> outputs = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = OUTPUT.matcher(expression);
        while (m.find()) {
            outputs.add(m.group());
        }
        return shown(String.join(", ", outputs.isEmpty() ? steps.stream().map(s -> "steps." + s).toList() : outputs));
    }
}
