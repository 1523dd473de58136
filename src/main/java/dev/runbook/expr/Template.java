package dev.runbook.expr;

import java.util.ArrayList;
import java.util.List;

/**
 * A string from the runbook split into literal text and {@code ${{ expression }}} parts,
 * the GitHub Actions syntax on-call engineers already know.
 *
 * @param parts literal strings and {@link Expr} parts, in order
 */
public record Template(String source, List<Object> parts) {

    /** An expression part with its offset in the source (for column numbers). */
    public record Expr(String text, int offset) {
    }

    public static final String OPEN = "${{";
    public static final String CLOSE = "}}";

    /** @throws IllegalArgumentException for an unterminated {@code ${{} */
    public static Template parse(String source) {
        List<Object> parts = new ArrayList<>();
        int pos = 0;
        while (true) {
            int open = source.indexOf(OPEN, pos);
            if (open < 0) {
                if (pos < source.length()) {
                    parts.add(source.substring(pos));
                }
                return new Template(source, List.copyOf(parts));
            }
            int close = source.indexOf(CLOSE, open + OPEN.length());
            if (close < 0) {
                throw new IllegalArgumentException("'${{' at position " + (open + 1) + " is never closed with '}}'");
            }
            if (open > pos) {
                parts.add(source.substring(pos, open));
            }
            String text = source.substring(open + OPEN.length(), close).trim();
            if (text.isEmpty()) {
                throw new IllegalArgumentException("empty expression '${{ }}' at position " + (open + 1));
            }
            parts.add(new Expr(text, open));
            pos = close + CLOSE.length();
        }
    }

    public static boolean containsExpression(String s) {
        return s.contains(OPEN);
    }

    /** True when the whole string is one expression, so its result keeps its type (int, bool, list). */
    public boolean isSingleExpression() {
        return parts.size() == 1 && parts.get(0) instanceof Expr;
    }

    public List<Expr> expressions() {
        return parts.stream().filter(Expr.class::isInstance).map(Expr.class::cast).toList();
    }
}
