package dev.runbook.parse;

import dev.runbook.expr.Declarations;
import dev.runbook.expr.Evaluator;
import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Expressions;
import dev.runbook.expr.Template;
import dev.runbook.graph.StepGraph;
import dev.runbook.model.DidYouMean;
import dev.runbook.model.InputDef;
import dev.runbook.model.InputValues;
import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Location;
import dev.runbook.model.Precondition;
import dev.runbook.model.Problem;
import dev.runbook.model.Runbook;
import dev.runbook.model.Step;
import dev.runbook.parse.ValidRunbook.BoundStep;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Durations;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks what the schema cannot: that every {@code uses:} names a known action or runbook,
 * parameters match the action's declaration, ids are unique, {@code needs:} name real steps,
 * the graph has no cycle, every expression compiles and type-checks against the declared
 * inputs, secrets and outputs, and no secret flows into a parameter that would print it.
 */
final class RunbookValidator {

    private final ExecutorRegistry registry;
    private final RunbookLoader loader;
    private final Runbook runbook;
    private final String source;
    private final String file;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<String, BoundStep> bound = new LinkedHashMap<>();
    /** Steps whose id an earlier step has already: refused, but their other fields are checked all the same. */
    private final List<BoundStep> duplicates = new ArrayList<>();

    /** @param schemaProblems what the schema found already; reported together with the rest */
    RunbookValidator(ExecutorRegistry registry, RunbookLoader loader, Runbook runbook, String source,
                     List<Problem> schemaProblems) {
        this.registry = registry;
        this.loader = loader;
        this.runbook = runbook;
        this.source = source;
        this.file = runbook.location().file();
        this.problems.addAll(schemaProblems);
    }

    ValidRunbook validate() throws InvalidRunbookException {
        bindSteps();
        Declarations declarations = declarations();
        Expressions expressions = new Expressions(declarations);
        checkInputDefaults(expressions);
        Map<String, Set<String>> referenced = new HashMap<>();
        for (BoundStep b : bound.values()) {
            referenced.put(b.step().id(), checkStepExpressions(b, expressions));
        }
        duplicates.forEach(b -> checkStepExpressions(b, expressions));
        for (Precondition p : runbook.preconditions()) {
            Set<String> reads = checkCondition(p.check(), expressions, p.location(), null, "preconditions.check");
            // a precondition is decided before the main steps change anything: it may wait for a
            // main step it reads, never for an on-failure or finally step (those run after it)
            for (String s : reads) {
                BoundStep other = bound.get(s);
                if (other != null && other.section() != Section.MAIN) {
                    problems.add(new Problem(p.location(), null, "preconditions.check", "reads step '" + s + "' of the "
                            + sectionName(other.section()) + " section, which runs only after the main steps",
                            "a precondition may read only inputs, env, run and main steps"));
                } else if (other != null && other.step().condition() != null) {
                    // skipped, it leaves nothing to read: the check could never be decided
                    problems.add(new Problem(p.location(), null, "preconditions.check", "reads step '" + s
                            + "', which has an `if:` and may be skipped, so the precondition could not be decided",
                            "a precondition may read only steps that always run: remove the `if:` of '" + s + "'"));
                } else if (other != null && other.step().continueOnError()) {
                    problems.add(new Problem(p.location(), null, "preconditions.check", "reads step '" + s
                            + "', whose failure is allowed (continue-on-error), so the precondition could not be decided",
                            "a precondition may read only steps that must succeed: remove continue-on-error from '" + s + "'"));
                }
            }
        }
        runbook.outputs().forEach((name, expr) -> {
            Location at = runbook.locationOfOutput(name);
            // outputs are made only when the run succeeded, when on-failure steps never run
            for (String s : scan(expr, expressions, at, null, "outputs." + name).steps) {
                BoundStep other = bound.get(s);
                if (other != null && other.section() == Section.ON_FAILURE) {
                    problems.add(new Problem(at, null, "outputs." + name, "reads step '" + s
                            + "' of the on-failure section, which runs only when the run fails, and outputs are made only"
                            + " when it succeeds", "an output may read inputs, env, run, main steps and finally steps"));
                }
            }
        });
        StepGraph main = graph(Section.MAIN, referenced);
        StepGraph onFailure = graph(Section.ON_FAILURE, referenced);
        StepGraph cleanup = graph(Section.FINALLY, referenced);
        if (!problems.isEmpty()) {
            Map<String, Problem> distinct = new LinkedHashMap<>();
            problems.forEach(p -> distinct.putIfAbsent(p.format(), p));
            List<Problem> all = new ArrayList<>(distinct.values());
            all.sort(java.util.Comparator.comparingInt((Problem p) -> p.location().line())
                    .thenComparingInt(p -> p.location().column()));
            throw new InvalidRunbookException(all);
        }
        return new ValidRunbook(runbook, source, Map.copyOf(bound), main, onFailure, cleanup, new Evaluator(expressions));
    }

    private void bindSteps() {
        bindSection(runbook.steps(), Section.MAIN);
        bindSection(runbook.onFailure(), Section.ON_FAILURE);
        bindSection(runbook.cleanup(), Section.FINALLY);
    }

    private void bindSection(List<Step> steps, Section section) {
        Set<String> celNames = new java.util.HashSet<>();
        bound.keySet().forEach(id -> celNames.add(id.replace('-', '_')));
        for (Step step : steps) {
            if (bound.containsKey(step.id())) {
                problems.add(new Problem(step.locationOf("id"), step.id(), "id",
                        "duplicate step id '" + step.id() + "' (first used at line " + bound.get(step.id()).step().location().line() + ")", null));
                // its uses, with and needs are still checked: renaming it should not reveal more problems
                duplicates.add(bind(step, section));
                continue;
            }
            if (!celNames.add(step.id().replace('-', '_'))) {
                problems.add(new Problem(step.locationOf("id"), step.id(), "id",
                        "step id '" + step.id() + "' differs from another only by - and _, which expressions cannot tell apart", null));
            }
            bound.put(step.id(), bind(step, section));
        }
    }

    /** The step with what its {@code uses:} names, its parameters checked against that action or runbook. */
    private BoundStep bind(Step step, Section section) {
        if (step.uses() == null) {
            return new BoundStep(step, section, null, null); // missing `uses`: reported by the schema
        }
        if (step.callsRunbook()) {
            return new BoundStep(step, section, null, bindCall(step));
        }
        try {
            ExecutorRegistry.Resolved action = registry.resolve(step.uses());
            if (!shapeReported(step, "with")) {
                checkParams(step, action.action().params(), step.with(), "with");
            }
            return new BoundStep(step, section, action, null);
        } catch (ExecutorRegistry.UnknownActionException e) {
            problems.add(new Problem(step.locationOf("uses"), step.id(), "uses", e.getMessage(), e.hint()));
            return new BoundStep(step, section, null, null);
        }
    }

    /** Whether the schema found this step field of the wrong shape (then it reads as empty: no more guessing). */
    private boolean shapeReported(Step step, String field) {
        return problems.stream().anyMatch(p -> step.id().equals(p.step()) && field.equals(p.field()));
    }

    private ValidRunbook bindCall(Step step) {
        java.nio.file.Path target = runbook.file().getParent().resolve(step.uses()).normalize();
        try {
            ValidRunbook called = loader.load(target);
            Map<String, InputDef> inputs = called.runbook().inputs();
            for (String given : step.with().keySet()) {
                if (!inputs.containsKey(given)) {
                    problems.add(new Problem(step.locationOf("with." + given), step.id(), "with." + given,
                            "runbook " + step.uses() + " has no input '" + given + "'",
                            hintOr(given, inputs.keySet(), "its inputs: " + String.join(", ", inputs.keySet()))));
                }
            }
            for (InputDef in : inputs.values()) {
                if (in.required() && in.defaultValue() == null && !step.with().containsKey(in.name())) {
                    problems.add(new Problem(step.locationOf("with"), step.id(), "with." + in.name(),
                            "runbook " + step.uses() + " needs input '" + in.name() + "'", null));
                }
            }
            return called;
        } catch (InvalidRunbookException e) {
            problems.add(new Problem(step.locationOf("uses"), step.id(), "uses",
                    "the called runbook " + step.uses() + " is invalid: " + e.problems().get(0).format()
                            + (e.problems().size() > 1 ? " (and " + (e.problems().size() - 1) + " more)" : ""), null));
            return null;
        }
    }

    /** Parameter names, required ones, literal types and allowed values, recursively for known map fields. */
    private void checkParams(Step step, List<ParamSpec> specs, Map<String, Object> given, String prefix) {
        Map<String, ParamSpec> byName = new LinkedHashMap<>();
        specs.forEach(s -> byName.put(s.name(), s));
        for (Map.Entry<String, Object> e : given.entrySet()) {
            String field = prefix + "." + e.getKey();
            ParamSpec spec = byName.get(e.getKey());
            if (spec == null) {
                boolean top = prefix.equals("with");
                problems.add(new Problem(step.locationOf(field), step.id(), field, top
                        ? "unknown parameter '" + e.getKey() + "' for " + step.uses()
                        : "unknown key '" + e.getKey() + "' in " + prefix.substring("with.".length()),
                        hintOr(e.getKey(), byName.keySet(), byName.isEmpty() ? "it takes no parameters"
                                : (top ? "parameters: " : "keys: ") + String.join(", ", byName.keySet()))));
                continue;
            }
            checkLiteral(step, spec, e.getValue(), field);
        }
        for (ParamSpec spec : specs) {
            if (spec.required() && spec.defaultValue() == null && given.get(spec.name()) == null) {
                problems.add(new Problem(step.locationOf(prefix), step.id(), prefix + "." + spec.name(),
                        (prefix.equals("with") ? "missing required parameter '" + spec.name() + "' for " + step.uses()
                                : "missing required key '" + spec.name() + "' in " + prefix.substring("with.".length()))
                                + (spec.description() != null ? " (" + spec.description() + ")" : ""), null));
            }
        }
    }

    /** A literal checked against its spec, down to every nested key, list element and map value. */
    @SuppressWarnings("unchecked")
    private void checkLiteral(Step step, ParamSpec spec, Object value, String field) {
        if (value == null || (value instanceof String s && Template.containsExpression(s)
                && (spec.type() != ParamType.STRING || spec.pattern() != null || !spec.allowed().isEmpty()))) {
            return; // expressions are type-checked by CEL; their values again at run time
        }
        if (spec.type() == ParamType.LIST && spec.items() != null) {
            List<Object> items = value instanceof List<?> l ? (List<Object>) l : List.of(value); // one value: a list of one
            for (int i = 0; i < items.size(); i++) {
                checkLiteral(step, spec.items(), items.get(i), value instanceof List ? field + "[" + i + "]" : field);
            }
            return;
        }
        boolean ok = switch (spec.type()) {
            case STRING -> value instanceof String || value instanceof Number || value instanceof Boolean;
            case INT -> value instanceof Long;
            case NUMBER -> value instanceof Number;
            case BOOL -> value instanceof Boolean;
            case DURATION -> Durations.parse(String.valueOf(value)).isPresent();
            case LIST -> value instanceof List || value instanceof String;
            case MAP -> value instanceof Map;
            case ANY -> true;
        };
        if (!ok) {
            problems.add(new Problem(step.locationOf(field), step.id(), field, "must be " + spec.type().words()
                    + ", got " + describe(value), spec.type() == ParamType.DURATION
                    ? (value instanceof Long n ? "write `" + n + "s` for seconds or `" + n + "m` for minutes" : "write e.g. 30s, 5m, 1h30m")
                    : null));
            return;
        }
        if (spec.pattern() != null && !(value instanceof Map || value instanceof List)
                && !String.valueOf(value).matches(spec.pattern())) {
            problems.add(new Problem(step.locationOf(field), step.id(), field, "must be " + spec.patternWords() + ", got "
                    + describe(value), null));
            return;
        }
        if (!spec.allowed().isEmpty() && value instanceof String s && !Template.containsExpression(s) && !spec.allowed().contains(s)) {
            problems.add(new Problem(step.locationOf(field), step.id(), field, "must be one of " + String.join(", ", spec.allowed())
                    + ", got '" + s + "'", DidYouMean.hint(s, spec.allowed())));
        }
        if (value instanceof Map<?, ?> m) {
            if (!spec.fields().isEmpty()) {
                checkParams(step, spec.fields(), (Map<String, Object>) m, field);
            } else if (spec.values() != null) {
                ((Map<String, Object>) m).forEach((k, v) -> {
                    if (spec.pattern() != null && !k.matches(spec.pattern())) {
                        problems.add(new Problem(step.locationOf(field + "." + k), step.id(), field + "." + k,
                                "the name '" + k + "' must be " + spec.patternWords(), null));
                    } else {
                        checkLiteral(step, spec.values(), v, field + "." + k);
                    }
                });
            }
        }
    }

    private Declarations declarations() {
        Declarations d = new Declarations();
        runbook.inputs().values().forEach(in -> d.input(in.name(), in.type()));
        runbook.secrets().keySet().forEach(d::secret);
        for (BoundStep b : bound.values()) {
            if (b.action() != null) {
                List<OutputSpec> outs = b.action().action().outputs();
                d.step(b.step().id(), outs.stream().map(OutputSpec::name).toList(),
                        outs.stream().filter(OutputSpec::sensitive).map(OutputSpec::name).toList());
            } else if (b.called() != null) {
                d.step(b.step().id(), b.called().runbook().outputs().keySet(), List.of());
            } else {
                d.step(b.step().id(), null, List.of()); // unresolved: reported already; avoid a second message
            }
        }
        return d;
    }

    private void checkInputDefaults(Expressions expressions) {
        for (InputDef in : runbook.inputs().values()) {
            boolean literal = in.defaultValue() != null
                    && !(in.defaultValue() instanceof String text && Template.containsExpression(text));
            if (literal) {
                try {
                    InputValues.convert(in.defaultValue(), in.type());
                } catch (IllegalArgumentException e) {
                    problems.add(new Problem(in.location(), null, "inputs." + in.name() + ".default",
                            "the default of input '" + in.name() + "' (type " + in.type().yamlName() + ") is wrong: "
                                    + e.getMessage(), null));
                }
            }
            if (in.defaultValue() instanceof String s && Template.containsExpression(s)) {
                for (String ref : references(s, expressions, in.location(), null, "inputs." + in.name() + ".default")) {
                    if (!ref.equals("env") && !ref.startsWith("run.")) {
                        problems.add(new Problem(in.location(), null, "inputs." + in.name() + ".default",
                                "an input's default may read only `env` and `run`, not " + ref, null));
                    }
                }
            }
        }
    }

    /** Checks a step's expressions; returns the ids of the steps it reads. */
    private Set<String> checkStepExpressions(BoundStep b, Expressions expressions) {
        Step step = b.step();
        Set<String> steps = new LinkedHashSet<>();
        Map<String, String> readIn = new LinkedHashMap<>(); // step read → the first field that reads it
        Map<String, ParamSpec> specs = new HashMap<>();
        if (b.action() != null) {
            b.action().action().params().forEach(p -> specs.put(p.name(), p));
        }
        for (Map.Entry<String, Object> e : step.with().entrySet()) {
            String field = "with." + e.getKey();
            ExprFacts facts = scan(e.getValue(), expressions, step.locationOf(field), step.id(), field);
            steps.addAll(facts.steps);
            facts.steps.forEach(s -> readIn.putIfAbsent(s, field));
            ParamSpec spec = specs.get(e.getKey());
            if (facts.secret && spec != null && !spec.sensitive()) {
                problems.add(new Problem(step.locationOf(field), step.id(), field,
                        "a secret is passed to '" + e.getKey() + "', which " + step.uses() + " may print or put on a command line",
                        "pass secrets only to parameters marked sensitive (see `runbook executors`)"));
            }
        }
        if (step.condition() != null) {
            Set<String> read = checkCondition(step.condition(), expressions, step.locationOf("if"), step.id(), "if");
            steps.addAll(read);
            read.forEach(s -> readIn.putIfAbsent(s, "if"));
        }
        for (String need : step.needs()) {
            if (need.equals(step.id())) {
                problems.add(new Problem(step.locationOf("needs." + need), step.id(), "needs",
                        "step '" + need + "' needs itself, so it could never start", "remove '" + need + "' from its `needs:`"));
            } else if (bound.containsKey(need) && bound.get(need).section() != b.section()) {
                BoundStep other = bound.get(need);
                problems.add(new Problem(step.locationOf("needs." + need), step.id(), "needs",
                        "needs step '" + need + "' of the " + sectionName(other.section()) + " section; `needs:` names steps of the same section",
                        other.section().ordinal() < b.section().ordinal()
                                ? "earlier sections have ended when this one starts: drop it from `needs:`" : null));
            } else if (!bound.containsKey(need)) {
                problems.add(new Problem(step.locationOf("needs." + need), step.id(), "needs",
                        "needs unknown step '" + need + "'", hintOr(need, bound.keySet(), null)));
            }
        }
        // a step may read steps of its own section (an edge) or of an earlier section (already run)
        for (String s : steps) {
            BoundStep other = bound.get(s);
            String field = readIn.get(s);
            if (s.equals(step.id())) {
                problems.add(new Problem(step.locationOf(field), step.id(), field, "reads its own outputs or status, which exist only after it has run",
                        "read them in a later step"));
            } else if (other != null && other.section().ordinal() > b.section().ordinal()) {
                problems.add(new Problem(step.locationOf(field), step.id(), field, "reads step '" + s + "' of the "
                        + sectionName(other.section()) + " section, which runs later", null));
            }
        }
        return steps;
    }

    private Set<String> checkCondition(String text, Expressions expressions, Location at, String step, String field) {
        String expr = text.trim();
        if (expr.startsWith(Template.OPEN) && expr.endsWith(Template.CLOSE)) {
            expr = expr.substring(3, expr.length() - 2).trim();
        }
        try {
            Expressions.Compiled c = expressions.compile(expr);
            if (!c.isBoolean()) {
                problems.add(new Problem(at, step, field, "`" + expr + "` must be true or false, but is " + c.resultWords(), null));
            }
            return c.steps();
        } catch (ExpressionException e) {
            problems.add(new Problem(at, step, field, e.getMessage(), null));
            return Set.of();
        }
    }

    private record ExprFacts(Set<String> steps, boolean secret) {
    }

    private ExprFacts scan(Object value, Expressions expressions, Location at, String step, String field) {
        Set<String> steps = new LinkedHashSet<>();
        boolean secret = false;
        if (value instanceof String s && Template.containsExpression(s)) {
            try {
                for (Template.Expr e : Template.parse(s).expressions()) {
                    try {
                        Expressions.Compiled c = expressions.compile(e.text());
                        steps.addAll(c.steps());
                        secret |= c.secret();
                    } catch (ExpressionException ex) {
                        problems.add(new Problem(at, step, field, ex.getMessage(), null));
                    }
                }
            } catch (IllegalArgumentException ex) {
                problems.add(new Problem(at, step, field, ex.getMessage(), null));
            }
        } else if (value instanceof String s) {
            looksLikeExpression(s).ifPresent(fix -> problems.add(new Problem(at, step, field,
                    "'" + s + "' looks like an expression but is plain text", "write `" + fix + "`")));
        } else if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                ExprFacts f = scan(e.getValue(), expressions, at, step, field + "." + e.getKey());
                steps.addAll(f.steps);
                secret |= f.secret;
            }
        } else if (value instanceof List<?> l) {
            for (Object o : l) {
                ExprFacts f = scan(o, expressions, at, step, field);
                steps.addAll(f.steps);
                secret |= f.secret;
            }
        }
        return new ExprFacts(steps, secret);
    }

    private static final java.util.regex.Pattern ALMOST_EXPRESSION = java.util.regex.Pattern.compile(
            "(\\$?\\{\\{|\\$\\{(?!\\{))\\s*((?:inputs|secrets|env|run|steps)\\b[^}]*?)\\s*}}?");

    /** "{{ inputs.url }}" or "${ inputs.url }" (the `$` or a brace forgotten): the fixed form, if it looks like one. */
    static java.util.Optional<String> looksLikeExpression(String text) {
        java.util.regex.Matcher m = ALMOST_EXPRESSION.matcher(text);
        return m.find() ? java.util.Optional.of(Template.OPEN + " " + m.group(2).trim() + " " + Template.CLOSE)
                : java.util.Optional.empty();
    }

    private Set<String> references(String text, Expressions expressions, Location at, String step, String field) {
        Set<String> refs = new LinkedHashSet<>();
        try {
            for (Template.Expr e : Template.parse(text).expressions()) {
                try {
                    refs.addAll(expressions.compile(e.text()).references());
                } catch (ExpressionException ex) {
                    problems.add(new Problem(at, step, field, ex.getMessage(), null));
                }
            }
        } catch (IllegalArgumentException ex) {
            problems.add(new Problem(at, step, field, ex.getMessage(), null));
        }
        return refs;
    }

    private StepGraph graph(Section section, Map<String, Set<String>> referenced) {
        List<Step> steps = switch (section) {
            case MAIN -> runbook.steps();
            case ON_FAILURE -> runbook.onFailure();
            case FINALLY -> runbook.cleanup();
        };
        Set<String> seen = new java.util.HashSet<>();
        List<String> ids = new ArrayList<>();
        Map<String, List<String>> explicit = new HashMap<>();
        for (Step s : steps) {
            if (!seen.add(s.id())) {
                continue; // duplicate, reported
            }
            ids.add(s.id());
            // `needs: []` written out means "needs nothing" (start at once, in parallel with the
            // step above), not "not given" (wait for the step above)
            if (!s.needs().isEmpty() || s.fieldLocations().containsKey("needs")) {
                explicit.put(s.id(), s.needs());
            }
        }
        StepGraph g = StepGraph.build(ids, explicit, referenced);
        g.findCycle().ifPresent(cycle -> {
            Step first = steps.stream().filter(s -> s.id().equals(cycle.get(0))).findFirst().orElseThrow();
            problems.add(new Problem(first.location(), first.id(), "needs",
                    "steps depend on each other in a cycle: " + String.join(" → ", cycle), "remove one of these `needs:` or output references"));
        });
        return g;
    }

    static String sectionName(Section section) {
        return switch (section) {
            case MAIN -> "steps";
            case ON_FAILURE -> "on-failure";
            case FINALLY -> "finally";
        };
    }

    private static String hintOr(String wrong, java.util.Collection<String> known, String fallback) {
        String h = DidYouMean.hint(wrong, known);
        return h != null ? h : fallback;
    }

    private static String describe(Object v) {
        if (v instanceof Map) {
            return "a mapping";
        }
        if (v instanceof List) {
            return "a list";
        }
        return "'" + v + "'";
    }

    String file() {
        return file;
    }
}
