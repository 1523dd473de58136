package dev.runbook.expr;

import dev.runbook.model.DidYouMean;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CEL's parser and checker messages in the user's words: what is wrong, where (column in
 * the expression) and the likely fix. No ANTLR token names, overload lists or protobuf type
 * names reach the user.
 */
final class CelErrors {

    private static final Pattern WHERE = Pattern.compile("ERROR: <input>:(\\d+):(\\d+): (.*)");
    private static final Pattern OVERLOAD = Pattern.compile(
            "found no matching overload for '([^']+)' applied to '(?:([\\w.]+)\\.)?\\((.*)\\)'");
    private static final Pattern UNDECLARED = Pattern.compile("undeclared reference to '([^']+)'");
    private static final Pattern UNEXPECTED = Pattern.compile(
            "(?:mismatched input|extraneous input|no viable alternative at input|token recognition error at:) '(.*?)'");
    private static final Pattern SINGLE_EQUALS = Pattern.compile("(?<![=!<>])=(?!=)");
    private static final Set<String> ROOTS = Set.of("inputs", "secrets", "env", "run", "steps");
    private static final Map<String, String> OPERATORS = Map.ofEntries(
            Map.entry("_+_", "add (+)"), Map.entry("_-_", "subtract (-)"), Map.entry("_*_", "multiply (*)"),
            Map.entry("_/_", "divide (/)"), Map.entry("_%_", "take the remainder (%) of"),
            Map.entry("_<_", "compare (<)"), Map.entry("_<=_", "compare (<=)"), Map.entry("_>_", "compare (>)"),
            Map.entry("_>=_", "compare (>=)"), Map.entry("_==_", "compare (==)"), Map.entry("_!=_", "compare (!=)"),
            Map.entry("_&&_", "combine with &&"), Map.entry("_||_", "combine with ||"), Map.entry("!_", "negate (!)"),
            Map.entry("-_", "negate (-)"), Map.entry("@in", "look up (in)"), Map.entry("_[_]", "index ([ ])"));

    private CelErrors() {
    }

    /** A syntax error: the likely fix first (= for ==, a quote or bracket left open), else what was unexpected. */
    static String syntax(String text, String celMessage) {
        String column = column(celMessage);
        String outside = withoutStrings(text);
        if (SINGLE_EQUALS.matcher(outside).find()) {
            return "`" + text + "`: `=` is not a comparison; write `==` to compare";
        }
        if (quoteLeftOpen(text)) {
            return "`" + text + "`: a quote is never closed; end the text with the same quote it starts with";
        }
        for (String[] pair : new String[][] {{"(", ")"}, {"[", "]"}, {"{", "}"}}) {
            long open = outside.chars().filter(c -> c == pair[0].charAt(0)).count();
            long close = outside.chars().filter(c -> c == pair[1].charAt(0)).count();
            if (open != close) {
                return "`" + text + "`: " + (open > close ? "a `" + pair[0] + "` is never closed with `" + pair[1] + "`"
                        : "a `" + pair[1] + "` has no `" + pair[0] + "` before it");
            }
        }
        Matcher m = UNEXPECTED.matcher(celMessage == null ? "" : celMessage);
        if (m.find()) {
            String token = m.group(1);
            return "`" + text + "`: " + (token.equals("<EOF>") ? "the expression ends too early (something is missing at the end)"
                    : "unexpected `" + token.trim() + "`" + column);
        }
        return "`" + text + "` is not a valid expression" + column;
    }

    /** A checker error: unknown names with "did you mean", operators and functions on types, in words. */
    static String check(String text, String celMessage) {
        String first = celMessage == null ? "" : celMessage.split("\n")[0];
        Matcher where = WHERE.matcher(first);
        String body = where.find() ? where.group(3) : first;
        String column = column(first);
        Matcher u = UNDECLARED.matcher(body);
        if (u.find()) {
            String name = u.group(1);
            String hint = DidYouMean.hint(name, ROOTS);
            return "`" + text + "`: unknown name '" + name + "'" + column + " ("
                    + (hint != null ? hint : "expressions read inputs, secrets, env, run and steps") + ")";
        }
        Matcher o = OVERLOAD.matcher(body);
        if (o.find()) {
            String op = o.group(1);
            List<String> args = types(o.group(3));
            if (o.group(2) != null) {
                return "`" + text + "`: " + op + "() " + (args.isEmpty() ? "does not apply to " + typeWords(o.group(2))
                        : "on " + typeWords(o.group(2)) + " cannot take "
                        + String.join(" and ", args.stream().map(CelErrors::typeWords).toList())) + column;
            }
            String words = OPERATORS.get(op);
            List<String> described = args.stream().map(CelErrors::typeWords).toList();
            if (op.equals("_?_:_") && !args.isEmpty()) {
                return "`" + text + "`: the condition before `?` must be true or false, but is " + described.get(0) + column;
            }
            if (words != null) {
                return "`" + text + "`: cannot " + words + " " + String.join(" and ", described) + column
                        + " (" + conversionHint(op, args) + ")";
            }
            // CEL's own names of the other operators (_?_:_, @not_strictly_false) mean nothing to a user
            String what = op.matches("[A-Za-z]\\w*") ? op + "()" : "this operator";
            return "`" + text + "`: " + what + " cannot take " + (described.isEmpty() ? "no arguments" : String.join(", ", described))
                    + column;
        }
        return "`" + text + "`: " + plainTypes(body) + column;
    }

    private static String conversionHint(String op, List<String> args) {
        if (op.equals("_&&_") || op.equals("_||_") || op.equals("!_")) {
            return "both sides must be true or false: compare a value first, e.g. inputs.keep > 0";
        }
        if (args.stream().anyMatch(a -> a.contains("Timestamp")) && args.stream().anyMatch(a -> a.equals("string"))) {
            return "turn the text into a time with timestamp(...), e.g. timestamp(\"2026-01-02T00:00:00Z\")";
        }
        if (args.stream().anyMatch(a -> a.contains("Timestamp")) && args.stream().anyMatch(a -> a.equals("int"))) {
            return "add a duration to a time, e.g. run.started + duration(\"1h\")";
        }
        return "make both sides the same type, e.g. with string(...), int(...) or double(...)";
    }

    /** "(string, int)" → [string, int]; nested parentheses of list(...)/map(...) kept together. */
    private static List<String> types(String inner) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : inner.toCharArray()) {
            if (c == ',' && depth == 0) {
                out.add(cur.toString().trim());
                cur.setLength(0);
                continue;
            }
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            cur.append(c);
        }
        if (!cur.toString().isBlank()) {
            out.add(cur.toString().trim());
        }
        return out;
    }

    static String typeWords(String celType) {
        String t = celType.trim();
        if (t.equals("list") || t.startsWith("list(")) {
            return "a list";
        }
        if (t.equals("map") || t.startsWith("map(")) {
            return "a mapping";
        }
        return switch (t) {
            case "string" -> "text";
            case "int", "uint" -> "a whole number";
            case "double" -> "a number";
            case "bool" -> "a true-or-false value";
            case "bytes" -> "bytes";
            case "null_type" -> "null";
            case "google.protobuf.Timestamp", "timestamp" -> "a time";
            case "google.protobuf.Duration", "duration" -> "a duration";
            case "dyn" -> "a value";
            default -> "a value of another kind";
        };
    }

    private static String plainTypes(String message) {
        return message.replace("google.protobuf.Timestamp", "time").replace("google.protobuf.Duration", "duration")
                .replaceAll(" \\(candidates:.*$", "").replace(" (in container '')", "");
    }

    private static String column(String celMessage) {
        Matcher m = WHERE.matcher(celMessage == null ? "" : celMessage);
        return m.find() ? " (at column " + m.group(2) + ")" : "";
    }

    private static boolean quoteLeftOpen(String text) {
        Character open = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (open != null && c == '\\') {
                i++;
            } else if (open == null && (c == '"' || c == '\'')) {
                open = c;
            } else if (open != null && c == open) {
                open = null;
            }
        }
        return open != null;
    }

    /** The expression with its string literals blanked, so `=` or `(` inside text does not count. */
    private static String withoutStrings(String text) {
        StringBuilder out = new StringBuilder();
        Character open = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (open != null) {
                if (c == '\\') {
                    i++;
                } else if (c == open) {
                    open = null;
                }
                out.append(' ');
            } else if (c == '"' || c == '\'') {
                open = c;
                out.append(' ');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
