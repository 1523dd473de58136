package dev.runbook.expr;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Step ids and output names may contain dashes ({@code find-backup}, {@code age-seconds}), as
 * in GitHub Actions, but in CEL a dash is a minus. References like
 * {@code steps.find-backup.outputs.age-seconds} are rewritten to underscores before CEL sees
 * them (outside string literals); declarations use the same rewriting. So write
 * {@code count - 1} with spaces when you mean subtraction right after an output name.
 */
public final class CelNames {

    private static final Pattern STEP_REF = Pattern.compile(
            "\\bsteps\\.([A-Za-z0-9_-]+)(\\.outputs\\.([A-Za-z0-9_-]+))?");

    private CelNames() {
    }

    public static String name(String idOrOutput) {
        return idOrOutput.replace('-', '_');
    }

    public static String normalize(String expression) {
        if (!expression.contains("steps.") || !expression.contains("-")) {
            return expression;
        }
        StringBuilder out = new StringBuilder();
        int i = 0;
        int segmentStart = 0;
        while (i < expression.length()) {
            char c = expression.charAt(i);
            if (c == '\'' || c == '"') {
                out.append(rewrite(expression.substring(segmentStart, i)));
                int end = i + 1;
                while (end < expression.length() && expression.charAt(end) != c) {
                    end += expression.charAt(end) == '\\' ? 2 : 1;
                }
                end = Math.min(end + 1, expression.length());
                out.append(expression, i, end);
                i = end;
                segmentStart = end;
            } else {
                i++;
            }
        }
        out.append(rewrite(expression.substring(segmentStart)));
        return out.toString();
    }

    private static String rewrite(String code) {
        Matcher m = STEP_REF.matcher(code);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = "steps." + name(m.group(1))
                    + (m.group(2) == null ? "" : ".outputs." + name(m.group(3)));
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }
}
