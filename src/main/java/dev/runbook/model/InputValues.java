package dev.runbook.model;

import dev.runbook.spi.Durations;
import dev.runbook.spi.ParamType;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An input's value in its declared type: from the command line, an inputs file, a resumed run's
 * journal, or the input's literal default (checked by validate, so a wrong default is found
 * before anything runs).
 */
public final class InputValues {

    private InputValues() {
    }

    /** Converts command-line text (or a typed value) to the declared type. */
    public static Object convert(Object raw, ParamType type) {
        if (raw instanceof Map<?, ?> && type != ParamType.MAP && type != ParamType.ANY
                || raw instanceof List<?> && type != ParamType.LIST && type != ParamType.ANY) {
            throw new IllegalArgumentException("expected " + type.words() + ", got " + (raw instanceof Map ? "a mapping" : "a list"));
        }
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
                    throw new IllegalArgumentException("expected a whole number, got '" + text + "'");
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
