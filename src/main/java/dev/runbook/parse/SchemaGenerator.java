package dev.runbook.parse;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;

/**
 * Generates the JSON Schema (draft 2020-12) of the runbook language from the code, so the
 * schema in {@code schemas/runbook.schema.json} can never drift from what the tool accepts
 * (a test compares them).
 *
 * <p>The full form adds, per action, the parameters of {@code with:} (for IDE completion).
 * Validation uses the structural form: parameters are checked afterwards by
 * {@link RunbookValidator}, which gives better messages and stays fast on 5,000 steps.
 */
public final class SchemaGenerator {

    public static final String ID = "https://runbook.dev/schemas/runbook.schema.json";
    private static final String DURATION = "^(\\d+(ms|s|m|h|d))+$";
    private static final String EXPRESSION = "^\\$\\{\\{.*\\}\\}$";
    private static final String RUNBOOK_NAME = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
    private static final String STEP_ID = "^[a-z][a-z0-9_-]*$";
    private static final String VARIABLE = "^[a-z][a-z0-9_]*$";

    /** Each pattern of the schema in words, for messages: users never see a regular expression. */
    static final java.util.Map<String, String> PATTERN_WORDS = java.util.Map.of(
            DURATION, "a duration like 30s or 5m (units ms, s, m, h, d; e.g. 1h30m)",
            EXPRESSION, "an expression written ${{ ... }}",
            RUNBOOK_NAME, "a name of letters, digits, '.', '-' and '_' (no spaces), starting with a letter or digit",
            STEP_ID, "a step id of lower-case letters, digits, '-' and '_', starting with a letter",
            VARIABLE, "a name of lower-case letters, digits and '_', starting with a letter");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SchemaGenerator() {
    }

    /** The schema with per-action parameters, as shipped for editors. */
    public static ObjectNode full(ExecutorRegistry registry) {
        ObjectNode schema = structural();
        ArrayNode conditions = ((ObjectNode) schema.get("$defs").get("step")).putArray("allOf");
        for (Executor e : registry.executors().values()) {
            for (Action a : e.actions()) {
                ArrayNode names = JSON.createArrayNode().add(e.name() + "." + a.name());
                if (e.defaultAction().filter(a.name()::equals).isPresent()) {
                    names.add(e.name());
                }
                ObjectNode rule = conditions.addObject();
                ObjectNode ifUses = rule.putObject("if");
                ifUses.putArray("required").add("uses");
                ifUses.putObject("properties").putObject("uses").set("enum", names);
                ObjectNode with = rule.putObject("then").putObject("properties").putObject("with");
                with.put("description", a.summary());
                params(with, a.params());
            }
        }
        ArrayNode uses = ((ObjectNode) schema.get("$defs").get("step").get("properties").get("uses")).putArray("examples");
        registry.executors().values().forEach(e -> e.actions().forEach(a -> uses.add(e.name() + "." + a.name())));
        return schema;
    }

    private static void params(ObjectNode object, java.util.List<ParamSpec> params) {
        object.put("type", "object");
        ObjectNode props = object.putObject("properties");
        ArrayNode required = JSON.createArrayNode();
        for (ParamSpec p : params) {
            ObjectNode prop = props.putObject(p.name());
            if (p.description() != null) {
                prop.put("description", p.description() + (p.sensitive() ? " (may be a secret)" : ""));
            }
            value(prop, p);
            if (p.required() && p.defaultValue() == null) {
                required.add(p.name());
            }
        }
        if (!required.isEmpty()) {
            object.set("required", required);
        }
        object.put("additionalProperties", false);
    }

    /** A value's schema: its type and what is nested (keys, elements, map values), or an expression. */
    private static void value(ObjectNode prop, ParamSpec p) {
        ArrayNode anyOf = prop.putArray("anyOf");
        if (p.type() == ParamType.LIST && p.items() != null) {
            ObjectNode list = anyOf.addObject().put("type", "array");
            value(list.putObject("items"), p.items());
            value(anyOf.addObject(), p.items()); // one value is a list of one
            anyOf.addObject().put("type", "string").put("pattern", EXPRESSION);
            return;
        }
        ObjectNode typed = anyOf.addObject();
        typeOf(typed, p.type());
        if (p.pattern() != null) {
            typed.remove("type");
            typed.putArray("type").add("string").add("integer");
            typed.put("pattern", "^(" + p.pattern() + ")$");
            typed.put("description", p.patternWords());
        }
        if (!p.allowed().isEmpty()) {
            ArrayNode en = typed.putArray("enum");
            p.allowed().forEach(en::add);
        }
        if (!p.fields().isEmpty()) {
            params(typed, p.fields());
            typed.put("additionalProperties", false);
        } else if (p.type() == ParamType.MAP && p.values() != null) {
            ObjectNode values = typed.putObject("additionalProperties");
            if (p.values().description() != null) {
                values.put("description", p.values().description());
            }
            value(values, p.values());
        }
        anyOf.addObject().put("type", "string").put("pattern", EXPRESSION);
    }

    static void typeOf(ObjectNode node, ParamType type) {
        switch (type) {
            case STRING -> node.put("type", "string");
            case INT -> node.put("type", "integer");
            case NUMBER -> node.put("type", "number");
            case BOOL -> node.put("type", "boolean");
            case DURATION -> node.put("type", "string").put("pattern", DURATION);
            case LIST -> node.put("type", "array");
            case MAP -> node.put("type", "object");
            case ANY -> { }
        }
    }

    /** The language's structure: every field of a runbook and a step, nothing executor-specific. */
    public static ObjectNode structural() {
        ObjectNode s = JSON.createObjectNode();
        s.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        s.put("$id", ID);
        s.put("title", "runbook");
        s.put("description", "A disaster-recovery runbook: typed inputs, secrets, and a graph of steps run by executors.");
        s.put("type", "object");
        s.putArray("required").add("name").add("steps");
        s.put("additionalProperties", false);
        ObjectNode p = s.putObject("properties");
        p.putObject("name").put("type", "string").put("pattern", RUNBOOK_NAME)
                .put("description", "Name of the runbook; also names its lock and its runs.");
        p.putObject("description").put("type", "string");
        ObjectNode inputs = p.putObject("inputs").put("type", "object").put("description", "Typed inputs, set with --input k=v, --inputs file.yaml or their defaults.");
        inputs.putObject("propertyNames").put("pattern", VARIABLE);
        inputs.putObject("additionalProperties").put("$ref", "#/$defs/input");
        ObjectNode secrets = p.putObject("secrets").put("type", "object").put("description", "Secrets, read at run time from env or files; never printed or stored.");
        secrets.putObject("propertyNames").put("pattern", VARIABLE);
        secrets.putObject("additionalProperties").put("$ref", "#/$defs/secret");
        ObjectNode pre = p.putObject("preconditions").put("type", "array");
        ObjectNode preItem = pre.putObject("items").put("type", "object").put("additionalProperties", false);
        preItem.putArray("required").add("check");
        preItem.putObject("properties").putObject("check").put("type", "string").put("description", "A boolean expression");
        ((ObjectNode) preItem.get("properties")).putObject("message").put("type", "string");
        p.putObject("deadline").put("type", "string").put("pattern", DURATION).put("description", "Recovery-time budget for the whole run, e.g. 45m");
        ObjectNode target = p.putObject("target").put("type", "object").put("additionalProperties", false);
        ObjectNode tp = target.putObject("properties");
        tp.putObject("default").put("type", "string").putArray("enum").add("compose").add("kubernetes").add("local");
        ObjectNode compose = tp.putObject("compose").put("type", "object").put("additionalProperties", false);
        ObjectNode cp = compose.putObject("properties");
        cp.putObject("project").put("type", "string");
        cp.putObject("files").put("type", "array").putObject("items").put("type", "string");
        cp.putObject("project-dir").put("type", "string");
        ObjectNode k8s = tp.putObject("kubernetes").put("type", "object").put("additionalProperties", false);
        ObjectNode kp = k8s.putObject("properties");
        kp.putObject("context").put("type", "string");
        kp.putObject("namespace").put("type", "string");
        kp.putObject("kubeconfig").put("type", "string");
        tp.putObject("local").put("type", "object");
        p.putObject("steps").put("type", "array").put("minItems", 1).putObject("items").put("$ref", "#/$defs/step");
        p.putObject("on-failure").put("type", "array").putObject("items").put("$ref", "#/$defs/step");
        p.putObject("finally").put("type", "array").putObject("items").put("$ref", "#/$defs/step");
        p.putObject("outputs").put("type", "object").putObject("additionalProperties").put("type", "string");

        ObjectNode defs = s.putObject("$defs");
        ObjectNode input = defs.putObject("input").put("type", "object").put("additionalProperties", false);
        ObjectNode ip = input.putObject("properties");
        ArrayNode types = ip.putObject("type").putArray("enum");
        for (ParamType t : ParamType.values()) {
            if (t != ParamType.ANY) {
                types.add(t.yamlName());
            }
        }
        ip.putObject("required").put("type", "boolean");
        ip.putObject("default");
        ip.putObject("description").put("type", "string");

        ObjectNode secret = defs.putObject("secret").put("type", "object").put("additionalProperties", false);
        ObjectNode sp = secret.putObject("properties");
        sp.putObject("env").put("type", "string");
        sp.putObject("file").put("type", "string");
        sp.putObject("optional").put("type", "boolean");
        ArrayNode oneOf = secret.putArray("oneOf");
        oneOf.addObject().putArray("required").add("env");
        oneOf.addObject().putArray("required").add("file");

        ObjectNode step = defs.putObject("step").put("type", "object").put("additionalProperties", false);
        step.putArray("required").add("id").add("uses");
        ObjectNode stp = step.putObject("properties");
        stp.putObject("id").put("type", "string").put("pattern", STEP_ID)
                .put("description", "Unique step id (lower case, digits, - and _)");
        stp.putObject("name").put("type", "string");
        stp.putObject("uses").put("type", "string")
                .put("description", "executor.action, an executor with a default action, or ./other-runbook.yaml");
        stp.putObject("with").put("type", "object");
        ObjectNode needs = stp.putObject("needs");
        ArrayNode needsAny = needs.putArray("anyOf");
        needsAny.addObject().put("type", "string");
        needsAny.addObject().put("type", "array").putObject("items").put("type", "string");
        ArrayNode ifAny = stp.putObject("if").putArray("anyOf");
        ifAny.addObject().put("type", "string");
        ifAny.addObject().put("type", "boolean");
        ObjectNode retry = stp.putObject("retry").put("type", "object").put("additionalProperties", false);
        ObjectNode rp = retry.putObject("properties");
        rp.putObject("attempts").put("type", "integer").put("minimum", 1).put("maximum", 100);
        rp.putObject("delay").put("type", "string").put("pattern", DURATION);
        rp.putObject("backoff").put("type", "string").putArray("enum").add("fixed").add("exponential");
        rp.putObject("max-delay").put("type", "string").put("pattern", DURATION);
        stp.putObject("timeout").put("type", "string").put("pattern", DURATION);
        stp.putObject("continue-on-error").put("type", "boolean");
        return s;
    }
}
