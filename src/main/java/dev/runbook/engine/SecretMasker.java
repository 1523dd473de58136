package dev.runbook.engine;

import dev.runbook.spi.Secret;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Replaces every known secret value with {@code ***} in text the engine prints or records:
 * logs, the journal, errors. Values come from the runbook's secrets, from values derived
 * from them, and from actions ({@code StepContext.addSecret}).
 */
public final class SecretMasker {

    // very short values would mask ordinary words; such secrets are still never printed by us,
    // only text that happens to contain them is left alone
    private static final int MIN_LENGTH = 3;
    private final List<String> values = new CopyOnWriteArrayList<>();

    public void add(String value) {
        if (value == null || value.length() < MIN_LENGTH || values.contains(value)) {
            return;
        }
        values.add(value);
        // also the form a value takes when a tool URL-encodes it; encoded once only: encoding the
        // encoded form changes it again ('%' → '%25'), so recursing never ended
        String encoded = java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
        if (!encoded.equals(value) && !values.contains(encoded)) {
            values.add(encoded);
        }
        values.sort(Comparator.comparingInt(String::length).reversed()); // longest first: no partial leftovers
    }

    public String mask(String text) {
        if (text == null || values.isEmpty()) {
            return text;
        }
        String out = text;
        for (String v : values) {
            if (out.contains(v)) {
                out = out.replace(v, Secret.MASK);
            }
        }
        return out;
    }

    /** Registers every Secret found in a value tree (resolved parameters, outputs). */
    public void addAll(Object value) {
        if (value instanceof Secret s) {
            add(s.reveal());
        } else if (value instanceof Map<?, ?> m) {
            m.values().forEach(this::addAll);
        } else if (value instanceof List<?> l) {
            l.forEach(this::addAll);
        }
    }

    /** A copy of a value tree safe to record: secrets as {@code ***}, strings masked. */
    public Object redact(Object value) {
        if (value instanceof Secret) {
            return Secret.MASK;
        }
        if (value instanceof String s) {
            return mask(s);
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new java.util.LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), redact(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(this::redact).toList();
        }
        if (value instanceof java.time.Duration || value instanceof java.time.Instant) {
            return value.toString();
        }
        return value;
    }
}
