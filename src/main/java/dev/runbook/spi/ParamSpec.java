package dev.runbook.spi;

import java.util.List;

/**
 * A declared parameter of an action, or of a key or element nested inside one: every value a
 * runbook can write under {@code with:} is typed, so a literal of the wrong type fails at
 * {@code validate}, not half-way through a run.
 *
 * @param name         key under {@code with:} (or inside a mapping); for a list element or a map value, a label
 * @param type         its type; checked at validation time where the value is a literal
 * @param required     whether the step must give it (a {@code defaultValue} makes it optional)
 * @param defaultValue value used when absent, or null
 * @param description  one line for {@code runbook executors} and the JSON Schema
 * @param sensitive    true when the action keeps this value out of argv, logs and plans, so a
 *                     secret may be passed to it; a secret passed to a non-sensitive parameter is
 *                     a validation error
 * @param allowed      the allowed values of a string parameter, or empty for any
 * @param fields       for a {@link ParamType#MAP} with known keys: their specs (unknown keys are refused)
 * @param items        for a {@link ParamType#LIST}: the spec of each element (a single value counts as a
 *                     list of one), or null for elements of any type
 * @param values       for a {@link ParamType#MAP} with free keys (headers, env): the spec of each value,
 *                     or null for values of any type
 * @param pattern      for a {@link ParamType#STRING}: a regular expression the whole value must match; for a
 *                     {@link ParamType#MAP} with free keys: one every key must match (metric names); or null
 * @param patternWords what {@code pattern} accepts, in words, for messages ("a status code like 200")
 */
public record ParamSpec(String name, ParamType type, boolean required, Object defaultValue,
                        String description, boolean sensitive, List<String> allowed,
                        List<ParamSpec> fields, ParamSpec items, ParamSpec values,
                        String pattern, String patternWords) {

    public ParamSpec {
        allowed = List.copyOf(allowed);
        fields = List.copyOf(fields);
        if (pattern != null && patternWords == null) {
            throw new IllegalArgumentException(name + ": a pattern needs its words: users never see a regular expression");
        }
    }

    public ParamSpec(String name, ParamType type, boolean required, Object defaultValue, String description,
                     boolean sensitive, List<String> allowed, List<ParamSpec> fields) {
        this(name, type, required, defaultValue, description, sensitive, allowed, fields, null, null, null, null);
    }

    public static ParamSpec required(String name, ParamType type, String description) {
        return new ParamSpec(name, type, true, null, description, false, List.of(), List.of());
    }

    public static ParamSpec optional(String name, ParamType type, Object defaultValue, String description) {
        return new ParamSpec(name, type, false, defaultValue, description, false, List.of(), List.of());
    }

    /** The spec of a list element or a map value (it has no key of its own). */
    public static ParamSpec element(ParamType type, String description) {
        return new ParamSpec("item", type, false, null, description, false, List.of(), List.of());
    }

    /** The same parameter, allowed to carry a secret. */
    public ParamSpec asSensitive() {
        return new ParamSpec(name, type, required, defaultValue, description, true, allowed, fields, items, values, pattern, patternWords);
    }

    /** The same parameter, restricted to these string values. */
    public ParamSpec oneOf(String... choices) {
        return new ParamSpec(name, type, required, defaultValue, description, sensitive, List.of(choices), fields, items, values,
                pattern, patternWords);
    }

    /** The same map parameter, with these known keys. */
    public ParamSpec withFields(ParamSpec... specs) {
        return new ParamSpec(name, type, required, defaultValue, description, sensitive, allowed, List.of(specs), items, values,
                pattern, patternWords);
    }

    /** The same list parameter, each element as this spec says. */
    public ParamSpec ofItems(ParamSpec item) {
        return new ParamSpec(name, type, required, defaultValue, description, sensitive, allowed, fields, item, values,
                pattern, patternWords);
    }

    /** The same list parameter, each element of this type. */
    public ParamSpec ofItems(ParamType itemType) {
        return ofItems(element(itemType, null));
    }

    /** The same map parameter with free keys, each value as this spec says. */
    public ParamSpec ofValues(ParamSpec value) {
        return new ParamSpec(name, type, required, defaultValue, description, sensitive, allowed, fields, items, value,
                pattern, patternWords);
    }

    /** The same map parameter with free keys, each value of this type. */
    public ParamSpec ofValues(ParamType valueType) {
        return ofValues(element(valueType, null));
    }

    /**
     * The same string parameter, whose whole value must match {@code regex} (for a map with free
     * keys: each key must); {@code words} say what that is.
     */
    public ParamSpec matching(String regex, String words) {
        return new ParamSpec(name, type, required, defaultValue, description, sensitive, allowed, fields, items, values, regex, words);
    }

    /** The type in words with what is nested, for {@code runbook executors}: "list of string", "map of string". */
    public String typeLabel() {
        if (type == ParamType.LIST && items != null) {
            return "list of " + items.typeLabel();
        }
        if (type == ParamType.MAP && values != null) {
            return "map of " + values.typeLabel() + (patternWords != null ? ", keys " + patternWords : "");
        }
        if (patternWords != null) {
            return type.yamlName() + " (" + patternWords + ")";
        }
        return type.yamlName();
    }
}
