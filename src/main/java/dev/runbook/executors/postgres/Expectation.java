package dev.runbook.executors.postgres;

import dev.runbook.spi.BadParameterException;

import java.math.BigDecimal;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One check of the query action's {@code expect:}, like {@code "> 0"} or {@code "== 3"}.
 * Numbers compare as numbers; anything else compares as text (== and != only).
 */
record Expectation(String operator, String operand) {

    private static final Pattern FORM = Pattern.compile("\\s*(>=|<=|==|!=|>|<)\\s*(.*?)\\s*");

    static Expectation parse(String name, String text) {
        Matcher m = FORM.matcher(text);
        if (!m.matches() || m.group(2).isEmpty()) {
            throw new BadParameterException("expect." + name + " must be an operator and a value, like \"> 0\" or \"== 3\"; got '"
                    + text + "'");
        }
        return new Expectation(m.group(1), m.group(2));
    }

    boolean test(Object actual) {
        if (actual == null) {
            return operator.equals("!=") ? !operand.equals("null") : operand.equals("null") && operator.equals("==");
        }
        BigDecimal a = number(actual.toString());
        BigDecimal b = number(unquote(operand));
        if (a != null && b != null) {
            int c = a.compareTo(b);
            return switch (operator) {
                case ">" -> c > 0;
                case ">=" -> c >= 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case "==" -> c == 0;
                default -> c != 0;
            };
        }
        return switch (operator) {
            case "==" -> actual.toString().equals(unquote(operand));
            case "!=" -> !actual.toString().equals(unquote(operand));
            default -> throw new BadParameterException("'" + operator + " " + operand + "' needs numbers, but the value is '"
                    + actual + "'");
        };
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("'") && s.endsWith("'") || s.startsWith("\"") && s.endsWith("\""))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }

    private static BigDecimal number(String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public String toString() {
        return operator + " " + operand;
    }
}
