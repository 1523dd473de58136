package dev.runbook.spi;

import java.util.List;

/**
 * A parameter value that is only known at run time (it reads another step's outputs).
 * Appears only while planning; {@link Params#display} shows {@code ⟨from EXPRESSION⟩} instead, or, when the
 * expression is too long to read in a plan line, the outputs it reads.
 *
 * @param expression the source text, e.g. {@code steps.find.outputs.key}, or a template
 *                   ({@code s3://b/${{ steps.find.outputs.key }}})
 * @param steps      the steps whose outputs it reads (may be empty when unknown)
 * @param shown      how a plan shows it, when that is not derived from the expression alone (a
 *                   called runbook's value, {@code ⟨from load → steps.find.outputs.uri⟩}; text
 *                   known now around the unknown parts); null otherwise
 */
public record Deferred(String expression, List<String> steps, String shown) {

    /** Past this length a plan line shows which outputs the value comes from, not the expression. */
    private static final int READABLE = 60;

    public Deferred {
        steps = List.copyOf(steps);
    }

    public Deferred(String expression, List<String> steps) {
        this(expression, steps, null);
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

    /**
     * The same value, evaluated in the runbook that step {@code within} calls: shown as
     * {@code ⟨from within → steps.find.outputs.uri⟩}, so it is not read as the caller's step.
     */
    public Deferred within(String within) {
        return within == null ? this : new Deferred(expression, steps, render(within + " → "));
    }

    /**
     * What goes inside {@code ⟨from …⟩} when this value is one of the things a longer expression
     * reads: the expression (or the outputs it reads), or, when it is more than one value with
     * text around them, the whole of it.
     */
    public String source() {
        String text = toString();
        return text.startsWith("⟨from ") && text.endsWith("⟩") && text.indexOf('⟨', 1) < 0
                ? text.substring("⟨from ".length(), text.length() - 1) : text;
    }

    @Override
    public String toString() {
        return shown != null ? shown : render("");
    }

    private String render(String qualifier) {
        if (expression.contains("${{")) {
            // a template: its text stays, each expression in it becomes ⟨from ...⟩
            return TEMPLATE_EXPR.matcher(expression).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                    new Deferred(m.group(1), steps).render(qualifier)));
        }
        if (expression.length() <= READABLE || steps.isEmpty()) {
            return shown(qualifier + expression);
        }
        java.util.Set<String> outputs = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = OUTPUT.matcher(expression);
        while (m.find()) {
            outputs.add(qualifier + m.group());
        }
        return shown(String.join(", ", outputs.isEmpty() ? steps.stream().map(s -> qualifier + "steps." + s).toList() : outputs));
    }
}
