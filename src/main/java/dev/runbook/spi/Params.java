package dev.runbook.spi;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved {@code with:} parameters of one step, defaults applied, checked against the
 * action's {@link ParamSpec}s.
 *
 * <p>Values are String, Long, Double, Boolean, List, Map, {@link Secret} (derived from a secret)
 * or, while planning only, {@link Deferred} (known at run time). The typed getters refuse a
 * {@link Secret} so that a secret cannot slip into argv or a log by accident: actions take
 * secrets explicitly through {@link #sensitive}.
 */
public final class Params {

    private final Map<String, Object> values;

    public Params(Map<String, ?> values) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static Params of(Map<String, ?> values) {
        return new Params(values);
    }

    /**
     * Whether a value was given. An empty string counts as not given, so a runbook can pass an
     * optional input through (`manifest: ${{ inputs.backup }}` with a default of "").
     */
    public boolean has(String name) {
        Object v = values.get(name);
        return v != null && !(v instanceof String s && s.isEmpty());
    }

    public Map<String, Object> asMap() {
        return values;
    }

    /** The raw value (may be a {@link Secret} or {@link Deferred}), or null. */
    public Object raw(String name) {
        return values.get(name);
    }

    public String string(String name) {
        Object v = plain(name);
        return v == null ? null : String.valueOf(v);
    }

    public Optional<String> optString(String name) {
        return Optional.ofNullable(string(name));
    }

    public String string(String name, String fallback) {
        String v = string(name);
        return v == null ? fallback : v;
    }

    public long integer(String name, long fallback) {
        Object v = typed(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Number n) {
            return n.longValue();
        }
        try {
            return Long.parseLong(v.toString().trim());
        } catch (NumberFormatException e) {
            throw new BadParameterException("parameter '" + name + "' must be a whole number, got '" + v + "'");
        }
    }

    public boolean bool(String name, boolean fallback) {
        Object v = typed(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(s);
        }
        throw new BadParameterException("parameter '" + name + "' must be true or false, got '" + v + "'");
    }

    public Duration duration(String name, Duration fallback) {
        Object v = typed(name);
        if (v == null) {
            return fallback;
        }
        if (v instanceof Duration d) {
            return d;
        }
        if (v instanceof Number n) {
            return Duration.ofSeconds(n.longValue());
        }
        return Durations.parse(v.toString()).orElseThrow(() ->
                new BadParameterException("parameter '" + name + "' must be a duration like 30s or 5m, got '" + v + "'"));
    }

    @SuppressWarnings("unchecked")
    public List<Object> list(String name) {
        Object v = plain(name);
        if (v == null) {
            return List.of();
        }
        if (v instanceof List<?> l) {
            return (List<Object>) l;
        }
        return List.of(v);
    }

    /** A list of strings; a single string counts as a list of one. */
    public List<String> strings(String name) {
        return list(name).stream().map(o -> {
            if (o instanceof Secret) {
                throw new IllegalStateException("parameter '" + name + "' holds a secret; the action must read it with sensitive()");
            }
            return String.valueOf(o);
        }).toList();
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> map(String name) {
        Object v = values.get(name);
        if (v == null) {
            return Map.of();
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new BadParameterException("parameter '" + name + "' must be a mapping");
    }

    /**
     * A mapping parameter as text values (environment variables, storage options). Secret values
     * are revealed, and each is handed to {@code onSecret} first, e.g. {@code context::addSecret},
     * so that the engine masks it wherever it might appear.
     */
    public Map<String, String> stringMap(String name, java.util.function.Consumer<String> onSecret) {
        Map<String, String> out = new LinkedHashMap<>();
        map(name).forEach((k, v) -> {
            if (v instanceof Secret s) {
                onSecret.accept(s.reveal());
                out.put(k, s.reveal());
            } else if (v != null) {
                out.put(k, String.valueOf(v));
            }
        });
        return out;
    }

    /** A nested mapping parameter as Params (e.g. {@code expect:}). */
    public Params nested(String name) {
        return new Params(map(name));
    }

    /**
     * A value that may hold a secret. The caller decides how to pass it on safely.
     * Returns null when absent; a plain value is wrapped as non-secret.
     */
    public Sensitive sensitive(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        if (v instanceof Deferred d) {
            throw new IllegalStateException("parameter '" + name + "' is not resolved yet: " + d);
        }
        if (v instanceof Secret s) {
            return new Sensitive(s.reveal(), true);
        }
        return new Sensitive(String.valueOf(v), false);
    }

    /** Whether the value is, or was derived from, a secret. */
    public boolean isSecret(String name) {
        return values.get(name) instanceof Secret;
    }

    /** Whether the value is only known at run time (planning only). */
    public boolean isDeferred(String name) {
        return values.get(name) instanceof Deferred;
    }

    /**
     * The value as it may be shown to people: secrets masked, run-time values as
     * {@code ⟨from steps.x.outputs.y⟩}, nested lists and maps rendered with the same rules.
     */
    public String display(String name) {
        return display(values.get(name));
    }

    public String display(String name, String fallback) {
        Object v = values.get(name);
        return v == null ? fallback : display(v);
    }

    public static String display(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Map<?, ?> m) {
            StringBuilder out = new StringBuilder("{");
            m.forEach((k, val) -> out.append(out.length() > 1 ? ", " : "").append(k).append(": ").append(display(val)));
            return out.append('}').toString();
        }
        if (v instanceof List<?> l) {
            return l.stream().map(Params::display).toList().toString();
        }
        if (v instanceof java.time.Duration d) {
            return Durations.literal(d);
        }
        return String.valueOf(v); // Secret and Deferred mask themselves in toString()
    }

    /**
     * The value for a typed (non-string) getter: an empty string counts as not given, as in
     * {@link #has}, so a runbook can pass an optional int/bool/duration input through with a
     * default of "" and the action's own default applies.
     */
    private Object typed(String name) {
        Object v = plain(name);
        return v instanceof String s && s.isEmpty() ? null : v;
    }

    private Object plain(String name) {
        Object v = values.get(name);
        if (v instanceof Secret) {
            throw new IllegalStateException("parameter '" + name + "' holds a secret; the action must read it with sensitive()");
        }
        if (v instanceof Deferred d) {
            throw new IllegalStateException("parameter '" + name + "' is not resolved yet: " + d);
        }
        return v;
    }

    /** A value that may be secret; {@link #toString()} masks it when it is. */
    public record Sensitive(String value, boolean secret) {
        @Override
        public String toString() {
            return secret ? Secret.MASK : value;
        }
    }
}
