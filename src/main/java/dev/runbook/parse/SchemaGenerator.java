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
    static final String RUNBOOK_NAME = "^[A-Za-z0-9][A-Za-z0-9_.-]*$";
    static final String STEP_ID = "^[a-z][a-z0-9_-]*$";
    static final String VARIABLE = "^[a-z][a-z0-9_]*$";
    /** What {@code steps.<id>.outputs.<name>} can read: a dash is allowed, as in an action's outputs (age-seconds). */
    static final String OUTPUT_NAME = "^[A-Za-z][A-Za-z0-9_-]*$";
    static final String ENV_NAME = "^[A-Za-z_][A-Za-z0-9_]*$";

    /** Each pattern of the schema in words, for messages: users never see a regular expression. */
    static final java.util.Map<String, String> PATTERN_WORDS = java.util.Map.of(
            DURATION, "a duration like 30s or 5m (units ms, s, m, h, d; e.g. 1h30m)",
            EXPRESSION, "an expression written ${{ ... }}",
            RUNBOOK_NAME, "a name of letters, digits, '.', '-' and '_' (no spaces), starting with a letter or digit",
            STEP_ID, "a step id of lower-case letters, digits, '-' and '_', starting with a letter",
            VARIABLE, "a name of lower-case letters, digits and '_', starting with a letter",
            OUTPUT_NAME, "a name of letters, digits, '-' and '_', starting with a letter",
            ENV_NAME, "an environment variable name of letters, digits and '_', not starting with a digit");
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
        if (p.pattern() != null && p.type() == ParamType.MAP) {
            typed.putObject("propertyNames").put("pattern", "^(" + p.pattern() + ")$").put("description", p.patternWords());
        } else if (p.pattern() != null) {
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
        p.putObject("description").put("type", "string").put("description", "What the runbook does and when to use it; shown by `plan`.");
        ObjectNode inputs = p.putObject("inputs").put("type", "object").put("description", "Typed inputs, set with --input k=v, --inputs file.yaml or their defaults.");
        inputs.putObject("propertyNames").put("pattern", VARIABLE);
        inputs.putObject("additionalProperties").put("$ref", "#/$defs/input");
        ObjectNode secrets = p.putObject("secrets").put("type", "object").put("description", "Secrets, read at run time from env or files; never printed or stored.");
        secrets.putObject("propertyNames").put("pattern", VARIABLE);
        secrets.putObject("additionalProperties").put("$ref", "#/$defs/secret");
        ObjectNode pre = p.putObject("preconditions").put("type", "array")
                .put("description", "Checks that must hold before anything changes; a run stops with their message when one fails.");
        ObjectNode preItem = pre.putObject("items").put("type", "object").put("additionalProperties", false);
        preItem.putArray("required").add("check");
        preItem.putObject("properties").putObject("check").put("type", "string")
                .put("description", "A true/false expression, e.g. ${{ steps.find.outputs.age_hours < 26 }}; may read inputs, env, run and main steps");
        ((ObjectNode) preItem.get("properties")).putObject("message").put("type", "string")
                .put("description", "What to tell the operator when the check fails");
        p.putObject("deadline").put("type", "string").put("pattern", DURATION).put("description", "Recovery-time budget for the whole run, e.g. 45m");
        p.putObject("grace").put("type", "string").put("pattern", DURATION).put("description",
                "How long on-failure and finally steps may still run after a deadline or Ctrl-C cancelled the run (default 2m), e.g. 5m");
        ObjectNode target = p.putObject("target").put("type", "object").put("additionalProperties", false)
                .put("description", "Where the runbook acts: a Compose project, a Kubernetes namespace or the local machine (choose with --target)");
        ObjectNode tp = target.putObject("properties");
        tp.putObject("default").put("type", "string").put("description", "The target used when --target is not given").putArray("enum").add("compose").add("kubernetes").add("local");
        ObjectNode compose = tp.putObject("compose").put("type", "object").put("additionalProperties", false)
                .put("description", "Docker Compose settings");
        ObjectNode cp = compose.putObject("properties");
        cp.putObject("project").put("type", "string").put("description", "Compose project name");
        cp.putObject("files").put("type", "array").put("description", "Compose files, relative to the runbook")
                .putObject("items").put("type", "string");
        cp.putObject("project-dir").put("type", "string").put("description", "Compose project directory, relative to the runbook");
        ObjectNode k8s = tp.putObject("kubernetes").put("type", "object").put("additionalProperties", false)
                .put("description", "Kubernetes settings");
        ObjectNode kp = k8s.putObject("properties");
        kp.putObject("context").put("type", "string").put("description", "kubeconfig context to use");
        kp.putObject("namespace").put("type", "string").put("description", "Namespace the steps act in");
        kp.putObject("kubeconfig").put("type", "string").put("description", "kubeconfig file (default: the usual kubeconfig)");
        tp.putObject("local").put("type", "object").put("description", "The machine the runbook runs on (no settings)");
        p.putObject("steps").put("type", "array").put("minItems", 1)
                .put("description", "The main steps; each starts when the steps it needs (or reads) have succeeded, else after the step above").putObject("items").put("$ref", "#/$defs/step");
        p.putObject("on-failure").put("type", "array")
                .put("description", "Steps run when the main steps did not all succeed (failure, deadline, interruption)").putObject("items").put("$ref", "#/$defs/step");
        p.putObject("finally").put("type", "array")
                .put("description", "Steps run at the end whatever happened (cleanup, notifications)").putObject("items").put("$ref", "#/$defs/step");
        ObjectNode outputs = p.putObject("outputs").put("type", "object")
                .put("description", "Values a calling runbook can read as steps.<id>.outputs.<name>: name → expression");
        outputs.putObject("propertyNames").put("pattern", OUTPUT_NAME);
        outputs.putObject("additionalProperties").put("type", "string");

        ObjectNode defs = s.putObject("$defs");
        ObjectNode input = defs.putObject("input").put("type", "object").put("additionalProperties", false)
                .put("description", "One input of the runbook");
        ObjectNode ip = input.putObject("properties");
        ArrayNode types = ip.putObject("type").put("description", "Its type (default string); values are checked against it").putArray("enum");
        for (ParamType t : ParamType.values()) {
            if (t != ParamType.ANY) {
                types.add(t.yamlName());
            }
        }
        ip.putObject("required").put("type", "boolean").put("description", "Whether the run refuses to start without it (unless it has a default)");
        ip.putObject("default").put("description", "Value used when it is not given; may read ${{ env.X }} and ${{ run.* }}");
        ip.putObject("description").put("type", "string").put("description", "What to give; shown by `plan` when it is missing");

        ObjectNode secret = defs.putObject("secret").put("type", "object").put("additionalProperties", false)
                .put("description", "One secret: from an environment variable or a file, never stored or printed");
        ObjectNode sp = secret.putObject("properties");
        sp.putObject("env").put("type", "string").put("pattern", ENV_NAME).put("description", "Environment variable holding it");
        sp.putObject("file").put("type", "string").put("description", "File holding it, relative to the runbook or absolute");
        sp.putObject("optional").put("type", "boolean").put("description", "Whether a run may start without it");
        ArrayNode oneOf = secret.putArray("oneOf");
        oneOf.addObject().putArray("required").add("env");
        oneOf.addObject().putArray("required").add("file");

        ObjectNode step = defs.putObject("step").put("type", "object").put("additionalProperties", false)
                .put("description", "One step: an executor action (or another runbook) with its parameters");
        step.putArray("required").add("id").add("uses");
        ObjectNode stp = step.putObject("properties");
        stp.putObject("id").put("type", "string").put("pattern", STEP_ID)
                .put("description", "Unique step id (lower case, digits, - and _)");
        stp.putObject("name").put("type", "string").put("description", "A label for people, shown in plans and reports");
        stp.putObject("uses").put("type", "string")
                .put("description", "executor.action, an executor with a default action, or ./other-runbook.yaml");
        stp.putObject("with").put("type", "object").put("description", "The action's parameters (see `runbook executors`), or the called runbook's inputs");
        ObjectNode needs = stp.putObject("needs")
                .put("description", "Steps of the same section that must succeed first; `needs: []` starts at once, in parallel");
        ArrayNode needsAny = needs.putArray("anyOf");
        needsAny.addObject().put("type", "string");
        needsAny.addObject().put("type", "array").putObject("items").put("type", "string");
        ArrayNode ifAny = stp.putObject("if")
                .put("description", "Run the step only when this is true, e.g. ${{ inputs.dry_run == false }} or ${{ failure() }}")
                .putArray("anyOf");
        ifAny.addObject().put("type", "string");
        ifAny.addObject().put("type", "boolean");
        ObjectNode retry = stp.putObject("retry").put("type", "object").put("additionalProperties", false)
                .put("description", "Try again when the step fails in a way a retry could fix");
        ObjectNode rp = retry.putObject("properties");
        rp.putObject("attempts").put("type", "integer").put("minimum", 1).put("maximum", 100)
                .put("description", "Attempts in all, the first included (default 3)");
        rp.putObject("delay").put("type", "string").put("pattern", DURATION).put("description", "Pause before the next attempt (default 1s)");
        rp.putObject("backoff").put("type", "string").put("description", "fixed: the same delay each time; exponential: doubled each time").putArray("enum").add("fixed").add("exponential");
        rp.putObject("max-delay").put("type", "string").put("pattern", DURATION).put("description", "Upper bound of an exponential delay");
        stp.putObject("timeout").put("type", "string").put("pattern", DURATION).put("description", "How long one attempt may take, e.g. 10m");
        stp.putObject("continue-on-error").put("type", "boolean")
                .put("description", "When true, a failure of this step does not fail the run");
        return s;
    }
}
