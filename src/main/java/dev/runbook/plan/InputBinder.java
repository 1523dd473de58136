package dev.runbook.plan;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Scope;
import dev.runbook.model.InputDef;
import dev.runbook.model.Problem;
import dev.runbook.model.Runbook;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.spi.Durations;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Secret;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Gives each declared input its value: from {@code --input}/{@code --inputs} (or a calling
 * runbook), else its default (which may read {@code env}), converted to the declared type.
 * Unknown inputs, missing required ones and values of the wrong type are all reported.
 */
public final class InputBinder {

    private InputBinder() {
    }

    /** The inputs, or the problems that stop the run before it starts. */
    public record Bound(Map<String, Object> values, List<Problem> problems) {
    }

    /**
     * @param given values given by the user (strings from the command line, or typed values
     *              from an inputs file or a calling runbook)
     */
    public static Bound bind(ValidRunbook valid, Map<String, Object> given, Map<String, String> env,
                             String runId, Instant started, String target) {
        Runbook rb = valid.runbook();
        List<Problem> problems = new ArrayList<>();
        for (String name : given.keySet()) {
            if (!rb.inputs().containsKey(name)) {
                problems.add(new Problem(rb.location(), null, "inputs", "unknown input '" + name + "'",
                        dev.runbook.model.DidYouMean.hint(name, rb.inputs().keySet()) != null
                                ? dev.runbook.model.DidYouMean.hint(name, rb.inputs().keySet())
                                : "declared inputs: " + String.join(", ", rb.inputs().keySet())));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Scope envOnly = new Scope(Map.of(), Map.of(), env, runId, started, target);
        for (InputDef def : rb.inputs().values()) {
            Object raw = given.get(def.name());
            if (raw == null && def.defaultValue() != null) {
                try {
                    raw = valid.evaluator().resolve(def.defaultValue(), envOnly);
                } catch (ExpressionException e) {
                    // e.g. env.BACKUP_BUCKET not set: the input counts as not given
                    raw = null;
                }
                if (raw instanceof String s && s.isEmpty() && def.required()) {
                    raw = null;
                }
            }
            if (raw == null) {
                if (def.required()) {
                    problems.add(new Problem(def.location(), null, "inputs." + def.name(),
                            "input '" + def.name() + "' is required" + (def.description() != null ? " (" + def.description() + ")" : ""),
                            "give it with --input " + def.name() + "=..." + defaultHint(def)));
                }
                continue;
            }
            if (raw instanceof dev.runbook.spi.Deferred) {
                values.put(def.name(), raw); // planning a called runbook: known at run time
                continue;
            }
            if (raw instanceof Secret) {
                problems.add(new Problem(def.location(), null, "inputs." + def.name(),
                        "input '" + def.name() + "' received a secret; declare it under secrets: instead", null));
                continue;
            }
            try {
                values.put(def.name(), convert(raw, def.type()));
            } catch (IllegalArgumentException e) {
                problems.add(new Problem(def.location(), null, "inputs." + def.name(),
                        "input '" + def.name() + "': " + e.getMessage(), null));
            }
        }
        return new Bound(values, problems);
    }

    private static String defaultHint(InputDef def) {
        if (!(def.defaultValue() instanceof String s)) {
            return "";
        }
        java.util.Set<String> vars = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("env\\.([A-Za-z_][A-Za-z0-9_]*)").matcher(s);
        while (m.find()) {
            vars.add(m.group(1));
        }
        return vars.isEmpty() ? "" : " or set " + String.join(" / ", vars);
    }

    /** Converts command-line text (or a typed value) to the declared type. */
    static Object convert(Object raw, ParamType type) {
        String text = String.valueOf(raw).trim();
        return switch (type) {
            case STRING -> raw instanceof String s ? s : text;
            case INT -> {
                if (raw instanceof Long || raw instanceof Integer) {
                    yield ((Number) raw).longValue();
                }
                try {
                    yield Long.parseLong(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected an integer, got '" + text + "'");
                }
            }
            case NUMBER -> {
                try {
                    yield raw instanceof Number n ? n.doubleValue() : Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("expected a number, got '" + text + "'");
                }
            }
            case BOOL -> {
                if (raw instanceof Boolean b) {
                    yield b;
                }
                String t = text.toLowerCase(Locale.ROOT);
                if (!t.equals("true") && !t.equals("false")) {
                    throw new IllegalArgumentException("expected true or false, got '" + text + "'");
                }
                yield Boolean.parseBoolean(t);
            }
            case DURATION -> Durations.parse(text).or(() -> iso8601(text)).orElseThrow(() ->
                    new IllegalArgumentException("expected a duration like 30s, 5m or 26h, got '" + text + "'"));
            case LIST -> raw instanceof List<?> l ? l : text.isEmpty() ? List.of() : List.of(text.split("\\s*,\\s*"));
            case MAP -> {
                if (raw instanceof Map<?, ?> m) {
                    yield m;
                }
                throw new IllegalArgumentException("expected a mapping (give it in an --inputs file)");
            }
            case ANY -> raw;
        };
    }

    /**
     * A journaled duration input reads back as ISO-8601 ({@code PT26H}, Duration.toString) when
     * a run is resumed; accept that form too so resuming a runbook with duration inputs works.
     */
    private static java.util.Optional<java.time.Duration> iso8601(String text) {
        if (!text.startsWith("PT") && !text.startsWith("P")) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(java.time.Duration.parse(text));
        } catch (java.time.format.DateTimeParseException e) {
            return java.util.Optional.empty();
        }
    }
}
