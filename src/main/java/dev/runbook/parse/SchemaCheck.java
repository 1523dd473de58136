package dev.runbook.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.runbook.model.DidYouMean;
import dev.runbook.model.Location;
import dev.runbook.model.Problem;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a document against the language's JSON Schema (networknt json-schema-validator)
 * and turns each violation into a {@link Problem} in the user's words, with the line it was
 * written on: what the field must be (read from the schema node that failed) and what was
 * found; never the validator's own text or a regular expression.
 */
public final class SchemaCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SHAPE = Set.of("type", "anyOf", "oneOf");
    /** Step fields whose choice of forms reads better said by hand. */
    private static final Map<String, String> FIELD_WORDS = Map.of(
            "needs", "a step id or a list of step ids",
            "if", "an expression such as ${{ inputs.dry_run }}, or true, or false");
    private final JsonSchema schema;
    private final JsonNode schemaNode;

    public SchemaCheck() {
        this.schemaNode = SchemaGenerator.structural();
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).build();
        this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode, config);
    }

    public List<Problem> check(YamlTree tree) {
        JsonNode instance = JSON.valueToTree(tree.root());
        Set<ValidationMessage> messages = schema.validate(instance);
        // a field of the wrong shape fails every branch of an anyOf: one problem per field, not per branch
        Map<String, ValidationMessage> shapeByPointer = new LinkedHashMap<>();
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (ValidationMessage m : messages) {
            String pointer = m.getInstanceLocation().toString();
            if (SHAPE.contains(m.getType()) && !pointer.contains("/secrets/")) {
                ValidationMessage before = shapeByPointer.get(pointer);
                if (before == null || !before.getType().equals("anyOf") && !before.getType().equals("oneOf")) {
                    shapeByPointer.put(pointer, m);
                }
                continue;
            }
            add(problems, seen, toProblem(tree, instance, m, pointer));
        }
        shapeByPointer.forEach((pointer, m) -> add(problems, seen, shape(tree, instance, m, pointer)));
        problems.sort(java.util.Comparator.comparingInt((Problem p) -> p.location().line())
                .thenComparingInt(p -> p.location().column()));
        return problems;
    }

    private static void add(List<Problem> problems, Set<String> seen, Problem p) {
        if (p != null && seen.add(p.format())) {
            problems.add(p);
        }
    }

    private Problem toProblem(YamlTree tree, JsonNode instance, ValidationMessage m, String pointer) {
        String step = stepId(instance, pointer);
        String field = fieldPath(pointer);
        JsonNode value = instance.at(pointer);
        JsonNode rule = propertyNode(m);
        switch (m.getType()) {
            case "additionalProperties" -> {
                String name = m.getProperty();
                Location at = tree.locateKey(pointer + "/" + name);
                String place = objectPath(m);
                String here = PLACES.get(place);
                List<String> elsewhere = new ArrayList<>();
                PROPERTIES.getOrDefault(name, List.of()).forEach(p -> {
                    if (!p.equals(place) && PLACES.containsKey(p)) {
                        elsewhere.add(PLACES.get(p));
                    }
                });
                if (!elsewhere.isEmpty()) { // a field of the language, in the wrong place: say where it goes
                    String hint = MEANT.get(place + " " + name);
                    if (place != null && place.equals("/$defs/input") && name.equals("env") && instance.at(pointer + "/env").isTextual()) {
                        hint = "an input reads the environment in its default: write `default: ${{ env."
                                + instance.at(pointer + "/env").asText() + " }}`";
                    }
                    return new Problem(at, step, join(field, name), "`" + name + "` is set " + orList(elsewhere)
                            + (here != null ? ", not " + here : ", not here"), hint);
                }
                return new Problem(at, step, join(field, name), "unknown field '" + name + "'",
                        DidYouMean.hint(name, propertiesOf(rule)));
            }
            case "required" -> {
                return new Problem(tree.locate(pointer), step, field, "missing required field '" + m.getProperty() + "'", null);
            }
            case "oneOf", "anyOf" -> {
                return new Problem(tree.locate(pointer), step, field, "give exactly one of `env` or `file`", null);
            }
            case "propertyNames" -> {
                String name = m.getProperty();
                String what = pointer.startsWith("/secrets") ? "secret" : pointer.startsWith("/outputs") ? "output" : "input";
                String pattern = schemaNode.at("/properties" + pointer + "/propertyNames/pattern").asText(SchemaGenerator.VARIABLE);
                return new Problem(tree.locateKey(pointer + "/" + name), null, join(field, name),
                        what + " name '" + name + "' must be " + (pattern.equals(SchemaGenerator.OUTPUT_NAME)
                                ? "letters, digits, - and _, starting with a letter" : "lower-case letters, digits and _, starting with a letter"),
                        "write `" + inAllowedForm(name, pattern, what) + "`");
            }
            case "pattern" -> {
                if (rule != null && rule.has("anyOf")) {
                    return null; // a branch of a choice; the shape message says what is wanted
                }
                String pattern = m.getSchemaNode() != null && m.getSchemaNode().isTextual()
                        ? m.getSchemaNode().asText() : rule == null ? null : rule.path("pattern").asText(null);
                String fixed = value.isTextual() ? inAllowedForm(value.asText(), pattern, "step") : null;
                return new Problem(tree.locate(pointer), step, field, "must be " + patternWords(pattern) + ", got " + describe(value),
                        fixed != null ? "write `" + fixed + "`" : null);
            }
            case "enum" -> {
                List<String> allowed = new ArrayList<>();
                (rule == null ? JSON.createArrayNode() : rule.path("enum")).forEach(n -> allowed.add(n.asText()));
                return new Problem(tree.locate(pointer), step, field, "must be one of " + String.join(", ", allowed)
                        + ", got " + describe(value), value.isTextual() ? DidYouMean.hint(value.asText(), allowed) : null);
            }
            case "minItems" -> {
                return new Problem(tree.locate(pointer), step, field,
                        pointer.equals("/steps") ? "there are no steps; a runbook needs at least one" : "must not be empty", null);
            }
            case "minimum", "maximum" -> {
                return new Problem(tree.locate(pointer), step, field, "must be " + (m.getType().equals("minimum")
                        ? "at least " + rule.path("minimum").asText() : "at most " + rule.path("maximum").asText())
                        + ", got " + describe(value), null);
            }
            default -> {
                return new Problem(tree.locate(pointer), step, field, "is not written as this field expects", null);
            }
        }
    }

    /** A value of the wrong type: say what the field takes, in words, and what was written. */
    private Problem shape(YamlTree tree, JsonNode instance, ValidationMessage m, String pointer) {
        JsonNode value = instance.at(pointer);
        JsonNode rule = propertyNode(m);
        String last = pointer.substring(pointer.lastIndexOf('/') + 1);
        String words = pointer.isEmpty() ? "a mapping of the runbook's fields (name:, steps:, ...)"
                : FIELD_WORDS.containsKey(last) && stepId(instance, pointer) != null ? FIELD_WORDS.get(last)
                : rule == null ? "something else" : expected(rule);
        return new Problem(tree.locate(pointer), stepId(instance, pointer), fieldPath(pointer),
                "must be " + words + ", got " + describe(value), words.startsWith("a duration") ? durationHint(value) : null);
    }

    /** The schema of the field a message is about (the property, not the branch or keyword that failed). */
    private JsonNode propertyNode(ValidationMessage m) {
        if (m.getSchemaLocation() == null || m.getSchemaLocation().getFragment() == null) {
            return null;
        }
        List<String> parts = new ArrayList<>(List.of(m.getSchemaLocation().getFragment().toString().split("/")));
        if (!parts.isEmpty()) {
            parts.remove(parts.size() - 1); // the keyword
        }
        while (parts.size() >= 2 && (parts.get(parts.size() - 2).equals("anyOf") || parts.get(parts.size() - 2).equals("oneOf"))) {
            parts.remove(parts.size() - 1);
            parts.remove(parts.size() - 1);
        }
        JsonNode node = schemaNode.at(String.join("/", parts).replaceFirst("^#", ""));
        return node.isMissingNode() ? null : resolve(node);
    }

    private JsonNode resolve(JsonNode node) {
        return node.has("$ref") ? schemaNode.at(node.get("$ref").asText().substring(1)) : node;
    }

    /** What a schema node accepts, in words: "a duration like 30s or 5m", "a step id or a list of them". */
    String expected(JsonNode node) {
        JsonNode n = resolve(node);
        if (n.has("anyOf") || n.has("oneOf")) {
            List<String> words = new ArrayList<>();
            n.path(n.has("anyOf") ? "anyOf" : "oneOf").forEach(b -> words.add(expected(b)));
            return String.join(" or ", words);
        }
        if (n.has("pattern")) {
            return patternWords(n.get("pattern").asText());
        }
        if (n.has("enum")) {
            List<String> allowed = new ArrayList<>();
            n.get("enum").forEach(v -> allowed.add(v.asText()));
            return "one of " + String.join(", ", allowed);
        }
        return switch (n.path("type").asText("")) {
            case "string" -> "text";
            case "integer" -> "a whole number";
            case "number" -> "a number";
            case "boolean" -> "true or false";
            case "array" -> n.path("items").path("type").asText("").equals("string") ? "a list of text values" : "a list";
            case "object" -> "a mapping (key: value lines)";
            default -> "something else";
        };
    }

    static String patternWords(String pattern) {
        String words = SchemaGenerator.PATTERN_WORDS.get(pattern);
        return words != null ? words : "written in the expected form";
    }

    /** "30" for a duration: the unit is missing. */
    private static String durationHint(JsonNode value) {
        return value.isIntegralNumber() ? "write `" + value.asText() + "s` for seconds or `" + value.asText() + "m` for minutes" : null;
    }

    static String describe(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return "nothing";
        }
        if (v.isObject()) {
            return "a mapping";
        }
        if (v.isArray()) {
            return "a list";
        }
        if (v.isTextual()) {
            return "'" + v.asText() + "'";
        }
        return v.asText();
    }

    /**
     * A name rewritten to follow its rule ("Load DB" → "load-db" for a step id, "my-url" →
     * "my_url" for an input), or null for a rule that has no such rewriting; what it returns
     * always matches the rule (a test checks it). {@code what} names the fallback when nothing
     * of the name is left ("input_1").
     */
    static String inAllowedForm(String name, String pattern, String what) {
        if (pattern == null) {
            return null;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String s;
        if (pattern.equals(SchemaGenerator.STEP_ID)) {
            s = lower.replaceAll("[^a-z0-9_-]+", "-").replaceAll("^[^a-z]+", "").replaceAll("[-_]+$", "");
            return s.isEmpty() ? what + "-1" : s;
        }
        if (pattern.equals(SchemaGenerator.VARIABLE)) {
            s = lower.replaceAll("[^a-z0-9_]+", "_").replaceAll("^[^a-z]+", "").replaceAll("_+$", "");
            return s.isEmpty() ? what + "_1" : s;
        }
        if (pattern.equals(SchemaGenerator.OUTPUT_NAME)) {
            s = name.replaceAll("[^A-Za-z0-9_-]+", "_").replaceAll("^[^A-Za-z]+", "").replaceAll("[-_]+$", "");
            return s.isEmpty() ? what + "_1" : s;
        }
        if (pattern.equals(SchemaGenerator.RUNBOOK_NAME)) {
            s = name.replaceAll("[^A-Za-z0-9_.-]+", "-").replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[-_.]+$", "");
            return s.isEmpty() ? "runbook-1" : s;
        }
        return null;
    }

    /**
     * Each object of the language that has fields (by its place in the schema), in the words a
     * message uses for where a field is written. A test checks that every such object has words.
     */
    static final Map<String, String> PLACES = Map.of(
            "", "at the top of the runbook",
            "/properties/preconditions/items", "on a precondition",
            "/properties/target", "under `target:`",
            "/properties/target/properties/compose", "under `target: compose:`",
            "/properties/target/properties/kubernetes", "under `target: kubernetes:`",
            "/$defs/input", "on an input (under `inputs:`)",
            "/$defs/secret", "on a secret (under `secrets:`)",
            "/$defs/step", "on a step",
            "/$defs/step/properties/retry", "under a step's `retry:`");
    /** What was likely meant by a field of another place (by place and name). */
    private static final Map<String, String> MEANT = Map.of(
            "/$defs/step deadline", "a step's own time limit is `timeout:`",
            "/$defs/step outputs", "a step's outputs are those of its action, listed by `runbook executors`",
            " timeout", "the whole run's time limit is `deadline:`",
            "/$defs/step/properties/retry timeout", "the time limit of each attempt is the step's `timeout:`");
    /** Every field name of the language → the places (keys of {@link #PLACES}) where it is allowed. */
    static final Map<String, List<String>> PROPERTIES = fieldPlaces();

    private static Map<String, List<String>> fieldPlaces() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        collect(SchemaGenerator.structural(), "", out);
        return out;
    }

    private static void collect(JsonNode node, String path, Map<String, List<String>> out) {
        if (node == null || !node.isObject()) {
            return;
        }
        JsonNode props = node.get("properties");
        if (props != null) {
            Iterator<String> it = props.fieldNames();
            while (it.hasNext()) {
                out.computeIfAbsent(it.next(), k -> new ArrayList<>()).add(path);
            }
        }
        node.properties().forEach(e -> collect(e.getValue(), path + "/" + e.getKey(), out));
    }

    /** The place in the schema of the object a message is about: {@code /$defs/step} for an unknown step field. */
    private static String objectPath(ValidationMessage m) {
        if (m.getSchemaLocation() == null || m.getSchemaLocation().getFragment() == null) {
            return null;
        }
        String fragment = m.getSchemaLocation().getFragment().toString().replaceFirst("^#", "");
        int keyword = fragment.lastIndexOf('/');
        return keyword < 0 ? "" : fragment.substring(0, keyword);
    }

    private static List<String> propertiesOf(JsonNode object) {
        List<String> names = new ArrayList<>();
        if (object != null) {
            object.path("properties").fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    /** "a, b or c" */
    private static String orList(List<String> words) {
        return words.size() == 1 ? words.get(0)
                : String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }

    /** The id of the step a pointer falls in (e.g. /steps/3/with/url), if any. */
    static String stepId(JsonNode instance, String pointer) {
        String[] parts = pointer.split("/");
        if (parts.length >= 3 && (parts[1].equals("steps") || parts[1].equals("finally") || parts[1].equals("on-failure"))) {
            JsonNode id = instance.at("/" + parts[1] + "/" + parts[2] + "/id");
            return id.isTextual() ? id.asText() : parts[1] + "[" + parts[2] + "]";
        }
        return null;
    }

    /** The field path inside the step (with.url) or the runbook (inputs.bucket). */
    static String fieldPath(String pointer) {
        String[] parts = pointer.split("/");
        int from = parts.length >= 3 && (parts[1].equals("steps") || parts[1].equals("finally") || parts[1].equals("on-failure")) ? 3 : 1;
        StringBuilder out = new StringBuilder();
        for (int i = from; i < parts.length; i++) {
            if (!parts[i].isEmpty()) {
                out.append(out.length() > 0 ? "." : "").append(parts[i].replace("~1", "/").replace("~0", "~"));
            }
        }
        return out.length() == 0 ? null : out.toString();
    }

    private static String join(String a, String b) {
        return a == null ? b : a + "." + b;
    }
}
