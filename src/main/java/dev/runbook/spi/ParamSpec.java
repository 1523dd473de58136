package dev.runbook.spi;

import java.util.List;

/**
 * A declared parameter of an action.
 *
 * @param name        key under {@code with:}
 * @param type        its type; checked at validation time where the value is a literal
 * @param required    whether the step must give it (a {@code defaultValue} makes it optional)
 * @param defaultValue value used when absent, or null
 * @param description one line for {@code runbook executors} and the JSON Schema
 * @param sensitive   true when the action keeps this value out of argv, logs and plans, so a
 *                    secret may be passed to it; a secret passed to a non-sensitive parameter is
 *                    a validation error
 * @param allowed     the allowed values of a string parameter, or empty for any
 * @param fields      for a {@link ParamType#MAP} with known keys: their specs (empty: any keys)
 */
public record ParamSpec(String name, ParamType type, boolean required, Object defaultValue,
                        String description, boolean sensitive, List<String> allowed,
                        List<ParamSpec> fields) {

    public ParamSpec {
        allowed = List.copyOf(allowed);
        fields = List.copyOf(fields);
    }

    public static ParamSpec required(String name, ParamType type, String description) {
        return new ParamSpec(name, type, true, null, description, false, List.of(), List.of());
    }

    public static ParamSpec optional(String name, ParamType type, Object defaultValue, String description) {
        return new ParamSpec(name, type, false, defaultValue, description, false, List.of(), List.of());
    }

    /** The same parameter, allowed to carry a secret. */
    public ParamSpec asSensitive() {
        return new ParamSpec(name, type, required, defaultValue, description, true, allowed, fields);
    }

    /** The same parameter, restricted to these string values. */
    public ParamSpec oneOf(String... values) {
        return new ParamSpec(name, type, required, defaultValue, description, sensitive, List.of(values), fields);
    }

    /** The same map parameter, with these known keys. */
    public ParamSpec withFields(ParamSpec... specs) {
        return new ParamSpec(name, type, required, defaultValue, description, sensitive, allowed, List.of(specs));
    }
}
