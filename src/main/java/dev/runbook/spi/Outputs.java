package dev.runbook.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a step produced, readable by later steps as {@code steps.<id>.outputs.<name>}.
 * Values are String, Long, Double, Boolean, List, Map or {@link Secret}; secret values are
 * masked in the journal and logs.
 */
public final class Outputs {

    private final Map<String, Object> values = new LinkedHashMap<>();

    public static Outputs none() {
        return new Outputs();
    }

    public static Outputs of(Map<String, ?> values) {
        Outputs o = new Outputs();
        values.forEach(o::put);
        return o;
    }

    public Outputs put(String name, Object value) {
        if (value instanceof Integer i) {
            value = i.longValue(); // one integer type for expressions
        }
        values.put(name, value);
        return this;
    }

    public Outputs putSecret(String name, String value) {
        values.put(name, new Secret(value));
        return this;
    }

    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }
}
