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
import dev.runbook.model.Problem;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks a document against the language's JSON Schema (networknt json-schema-validator)
 * and turns each violation into a {@link Problem} with the line it was written on.
 */
public final class SchemaCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
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
        List<Problem> problems = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (ValidationMessage m : messages) {
            String pointer = m.getInstanceLocation().toString();
            Problem p = toProblem(tree, instance, m, pointer);
            if (p != null && seen.add(p.format())) {
                problems.add(p);
            }
        }
        problems.sort(java.util.Comparator.comparingInt((Problem p) -> p.location().line())
                .thenComparingInt(p -> p.location().column()));
        return problems;
    }

    private Problem toProblem(YamlTree tree, JsonNode instance, ValidationMessage m, String pointer) {
        String step = stepId(instance, pointer);
        String field = fieldPath(pointer);
        String type = m.getType();
        switch (type) {
            case "additionalProperties" -> {
                String name = m.getProperty();
                String child = pointer + "/" + name;
                List<String> known = knownProperties(m.getSchemaNode() == null ? null : m.getSchemaNode());
                return new Problem(tree.locateKey(child), step, join(field, name), "unknown field '" + name + "'",
                        DidYouMean.hint(name, known));
            }
            case "required" -> {
                return new Problem(tree.locate(pointer), step, field,
                        "missing required field '" + m.getProperty() + "'", null);
            }
            case "oneOf", "anyOf" -> {
                if (pointer.contains("/secrets/")) {
                    return new Problem(tree.locate(pointer), step, field, "give exactly one of `env` or `file`", null);
                }
                return new Problem(tree.locate(pointer), step, field, clean(m.getMessage(), pointer), null);
            }
            default -> {
                return new Problem(tree.locate(pointer), step, field, clean(m.getMessage(), pointer), null);
            }
        }
    }

    private static List<String> knownProperties(JsonNode schemaNodeOfAdditional) {
        // the message's schema node is the additionalProperties node; its parent lists the properties:
        // we cannot reach the parent from here, so list every property name the language has
        List<String> names = new ArrayList<>();
        collect(SchemaGenerator.structural(), names);
        return names;
    }

    private static void collect(JsonNode node, List<String> out) {
        if (node == null || !node.isObject()) {
            return;
        }
        JsonNode props = node.get("properties");
        if (props != null) {
            Iterator<String> it = props.fieldNames();
            while (it.hasNext()) {
                String n = it.next();
                if (!out.contains(n)) {
                    out.add(n);
                }
            }
        }
        node.elements().forEachRemaining(child -> collect(child, out));
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

    private static String clean(String message, String pointer) {
        // networknt prefixes messages with the instance location; the Problem carries it already
        String m = message.startsWith(pointer + ": ") ? message.substring(pointer.length() + 2) : message;
        if (m.startsWith(": ")) {
            m = m.substring(2);
        }
        return m.replace("does not match the regex pattern ^(\\d+(ms|s|m|h|d))+$",
                "is not a duration (write e.g. 30s, 5m, 1h30m, 7d)");
    }
}
