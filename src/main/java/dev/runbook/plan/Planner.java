package dev.runbook.plan;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Scope;
import dev.runbook.graph.StepGraph;
import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Precondition;
import dev.runbook.model.Problem;
import dev.runbook.model.RetryPolicy;
import dev.runbook.model.Runbook;
import dev.runbook.model.SecretDef;
import dev.runbook.model.Step;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.BoundStep;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Durations;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.Params;
import dev.runbook.spi.Resolved;
import dev.runbook.spi.Secret;
import dev.runbook.spi.Sha256;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.Target;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds the {@link Plan} of a runbook, touching nothing: no network, no files written, no
 * clients. Executors only describe their actions. With {@code refresh}, actions may run their
 * read-only probes (through the given context factory) to show e.g. which object "latest" is.
 */
public final class Planner {

    private final Map<String, String> env;
    private final Function<String, StepContext> probeContext; // null: no refresh

    /**
     * @param probeContext creates a context for a step's read-only probe, or null for an
     *                     offline plan (the default)
     */
    public Planner(Map<String, String> env, Function<String, StepContext> probeContext) {
        this.env = env;
        this.probeContext = probeContext;
    }

    /**
     * What planning collects across steps: warnings, problems found now, what the steps touch,
     * and the outputs the {@code --refresh} probes already know (for deciding preconditions).
     */
    private static final class Findings {
        final List<String> warnings = new ArrayList<>();
        final List<String> problems = new ArrayList<>();
        final java.util.Set<String> touches = new java.util.LinkedHashSet<>();
        /** top-level step id → outputs its probe found */
        final Map<String, Map<String, Object>> previews = new LinkedHashMap<>();
        /** top-level steps whose probe failed */
        final java.util.Set<String> failedProbes = new java.util.LinkedHashSet<>();
    }

    public Plan plan(ValidRunbook valid, Map<String, Object> givenInputs, Target target) throws InvalidRunbookException {
        Instant now = Instant.now();
        Invocation.Context context = new Invocation.Context(env, "(planned)", now, target);
        Invocation.Bound bound = Invocation.bind(valid, givenInputs, null, context, "");
        Invocation top = bound.invocation();
        Runbook rb = valid.runbook();
        Map<String, Object> shownInputs = new LinkedHashMap<>();
        top.scope().inputs().forEach((k, v) -> shownInputs.put(k, v instanceof java.time.Duration d ? Durations.literal(d) : v));
        if (!bound.problems().isEmpty()) {
            throw new InputsNotBound(bound.problems(), inputHelp(rb, givenInputs, shownInputs));
        }
        Findings found = new Findings();
        secretWarnings(rb, found.warnings);
        List<Plan.PlannedSection> sections = sections(top, found, context);
        // preconditions are decided with what the probes found (the newest backup's age, ...)
        Scope probed = new Scope(top.scope().inputs(), null, env, "(planned)", now, target.kind());
        found.previews.forEach((id, outputs) -> probed.stepFinished(id, "succeeded", outputs));
        List<Plan.PlannedCheck> checks = new ArrayList<>();
        List<String> checkProblems = new ArrayList<>();
        for (Precondition p : rb.preconditions()) {
            checks.add(check(valid, p, probed, found, checkProblems));
        }
        List<String> problems = new ArrayList<>(checkProblems);
        problems.addAll(found.problems);
        return new Plan(Plan.FORMAT, rb.name(), rb.file().toString(), sourceHash(valid), shownInputs,
                inputHelp(rb, givenInputs, shownInputs), target.kind(),
                rb.deadline() == null ? null : Durations.literal(rb.deadline()), problems, List.copyOf(found.touches),
                checks, sections, found.warnings);
    }

    private static List<Plan.PlannedInput> inputHelp(Runbook rb, Map<String, Object> given, Map<String, Object> bound) {
        List<Plan.PlannedInput> out = new ArrayList<>();
        for (dev.runbook.model.InputDef def : rb.inputs().values()) {
            Object v = bound.get(def.name());
            boolean invalid = v == null && given.get(def.name()) != null; // given, but not of the input's type
            String source = invalid ? "given, not valid" : given.containsKey(def.name()) ? "given" : v != null ? "default" : "not set";
            Object shown = invalid ? given.get(def.name()) : v;
            out.add(new Plan.PlannedInput(def.name(), def.type().name().toLowerCase(Locale.ROOT), def.required(),
                    shown == null ? null : Params.display(shown), source, def.description()));
        }
        return out;
    }

    /** The sections of one invocation, in the order the engine runs them. */
    private List<Plan.PlannedSection> sections(Invocation inv, Findings found, Invocation.Context context) {
        List<Plan.PlannedSection> sections = new ArrayList<>();
        for (Section section : inv.sections()) {
            StepGraph graph = inv.runbook().graph(section);
            List<List<Plan.PlannedStep>> waves = new ArrayList<>();
            for (List<String> wave : graph.waves()) {
                List<Plan.PlannedStep> planned = new ArrayList<>();
                for (String id : wave) {
                    planned.add(step(inv, inv.runbook().steps().get(id), graph, found, context));
                }
                waves.add(planned);
            }
            sections.add(new Plan.PlannedSection(Invocation.label(section), waves));
        }
        return sections;
    }

    private Plan.PlannedStep step(Invocation inv, BoundStep b, StepGraph graph, Findings found,
                                  Invocation.Context context) {
        ValidRunbook valid = inv.runbook();
        Scope scope = inv.scope();
        String prefix = inv.prefix();
        Target target = context.target();
        Step step = b.step();
        Map<String, Object> resolved = resolveParams(valid, b, scope, found.warnings, prefix);
        Map<String, String> shown = new LinkedHashMap<>();
        resolved.forEach((k, v) -> shown.put(k, Params.display(v)));
        String description;
        boolean destructive = false;
        boolean approval = false;
        String probe = null;
        String probeProblem = null;
        List<String> touches = List.of();
        List<String> problems = List.of();
        List<Plan.PlannedSection> calls = List.of();
        String decision = decision(valid, step, scope, found.warnings);
        if (b.action() != null) {
            Params params = Params.of(resolved);
            Resolved where = resolve(b, params, target, valid, prefix + step.id());
            // describe is pure: what the plan resolved (the compose project, the namespace) is given to it as data
            description = b.action().action().describe(where.fill(params), target);
            destructive = b.action().action().destructive(params);
            approval = b.action().action().needsApproval(params);
            touches = where.touches();
            problems = where.problems();
            String label = "step " + prefix + step.id() + (step.name() != null ? " (" + step.name() + ")" : "");
            if (decision.equals("runs")) {
                problems.forEach(p -> found.problems.add(label + ": " + p));
            } else if (!decision.startsWith("skipped")) {
                problems.forEach(p -> found.warnings.add(label + ", if it runs: " + p));
            }
            if (!decision.startsWith("skipped")) {
                touches.forEach(found.touches::add);
            }
            if (probeContext != null && !decision.startsWith("skipped")) {
                Probed p = probe(b, params, prefix + step.id());
                probe = p.line();
                probeProblem = p.problem();
                if (p.problem() != null && decision.equals("runs")) {
                    found.problems.add(label + ": " + p.problem());
                    if (prefix.isEmpty()) {
                        found.failedProbes.add(step.id());
                    }
                } else if (p.outputs() != null && prefix.isEmpty()) {
                    found.previews.put(step.id(), p.outputs());
                }
            }
        } else {
            description = "run the steps of " + step.uses() + " (below)";
            calls = calledSections(b, resolved, found, inv.fullId(step.id()) + "/", context);
        }
        RetryPolicy r = step.retry();
        return new Plan.PlannedStep(prefix + step.id(), step.name(), step.uses(), description, shown, touches,
                graph.dependenciesOf(step.id()).stream().map(d -> prefix + d).toList(), step.condition(),
                decision, r.attempts(), Durations.literal(r.delay()),
                r.backoff().name().toLowerCase(Locale.ROOT), step.timeout() == null ? null : Durations.literal(step.timeout()),
                step.continueOnError(), destructive, approval, calls, probe, probeProblem, problems);
    }

    /** Where the step's executor says it acts; a failure to tell is shown, never fatal. */
    private Resolved resolve(BoundStep b, Params params, Target target, ValidRunbook valid, String id) {
        try {
            return b.action().executor().resolve(b.action().action(), params,
                    new PlanningContext(id, target, valid.runbook().file().toAbsolutePath().getParent(), env));
        } catch (RuntimeException e) {
            return Resolved.touching(List.of("cannot tell what " + b.action().qualifiedName() + " touches: " + e.getMessage()));
        }
    }

    private List<Plan.PlannedSection> calledSections(BoundStep b, Map<String, Object> with, Findings found,
                                                     String prefix, Invocation.Context context) {
        Map<String, Object> given = new LinkedHashMap<>();
        with.forEach((k, v) -> given.put(k, v instanceof Secret ? new Deferred("secret") : v));
        Invocation.Bound bound = Invocation.bind(b.called(), given, null, context, prefix);
        bound.problems().forEach(p -> found.warnings.add("step " + prefix + ": " + p.format()));
        return sections(bound.invocation(), found, context);
    }

    private Map<String, Object> resolveParams(ValidRunbook valid, BoundStep b, Scope scope, List<String> warnings, String prefix) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (b.action() != null) {
            for (ParamSpec p : b.action().action().params()) {
                if (p.defaultValue() != null) {
                    out.put(p.name(), p.defaultValue());
                }
            }
        }
        for (Map.Entry<String, Object> e : b.step().with().entrySet()) {
            try {
                out.put(e.getKey(), valid.evaluator().resolve(e.getValue(), scope));
            } catch (ExpressionException ex) {
                warnings.add("step " + prefix + b.step().id() + ", with." + e.getKey() + ": " + ex.getMessage());
                out.put(e.getKey(), new Deferred(String.valueOf(e.getValue())));
            }
        }
        return out;
    }

    private String decision(ValidRunbook valid, Step step, Scope scope, List<String> warnings) {
        if (step.condition() == null) {
            return "runs";
        }
        if (step.condition().matches(".*\\b(success|failure|always|cancelled)\\(\\).*")) {
            return "decided at run time (depends on how earlier steps end)";
        }
        try {
            Boolean v = valid.evaluator().condition(step.condition(), scope);
            return v == null ? "decided at run time" : v ? "runs" : "skipped (if: is false)";
        } catch (ExpressionException e) {
            warnings.add("step " + step.id() + ", if: " + e.getMessage());
            return "cannot be decided: " + e.getMessage();
        }
    }

    /** The references a precondition reads, shown with their values: {@code inputs.max_age = 26h}. */
    private static final java.util.regex.Pattern REFERENCE = java.util.regex.Pattern.compile(
            "\\b(inputs\\.[A-Za-z0-9_-]+|steps\\.[A-Za-z0-9_-]+\\.outputs\\.[A-Za-z0-9_-]+)");

    private static Plan.PlannedCheck check(ValidRunbook valid, Precondition p, Scope scope, Findings found,
                                           List<String> problems) {
        List<String> values = new ArrayList<>();
        java.util.Set<String> after = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = REFERENCE.matcher(p.check());
        while (m.find()) {
            String ref = m.group(1);
            if (ref.startsWith("steps.")) {
                String stepId = ref.split("\\.")[1];
                if (!scope.ended(stepId)) {
                    after.add(stepId);
                    continue;
                }
            }
            try {
                values.add(ref + " = " + shown(ref, valid.evaluator().resolve("${{ " + ref + " }}", scope)));
            } catch (ExpressionException e) {
                values.add(ref + " = ?");
            }
        }
        String what = p.message() != null ? p.message() : p.check();
        try {
            Boolean v = valid.evaluator().condition(p.check(), scope);
            if (v == null) {
                List<String> failed = after.stream().filter(found.failedProbes::contains).toList();
                String state = failed.isEmpty() ? "decided at run time"
                        : "cannot be decided: the look at " + String.join(", ", failed) + " failed (see Problems found)";
                return new Plan.PlannedCheck(p.check(), p.message(), state, values, List.copyOf(after));
            }
            if (!v) {
                problems.add("precondition fails: " + what + (values.isEmpty() ? "" : " [" + String.join(", ", values) + "]"));
            }
            return new Plan.PlannedCheck(p.check(), p.message(), v ? "holds" : "fails", values, List.of());
        } catch (ExpressionException e) {
            found.warnings.add("precondition " + p.check() + ": " + e.getMessage());
            return new Plan.PlannedCheck(p.check(), p.message(), "cannot be decided: " + e.getMessage(), values,
                    List.copyOf(after));
        }
    }

    /** A value as people read it; a count of seconds also as a duration (1213200 → "1213200 (14d 1h)"). */
    private static String shown(String ref, Object value) {
        String text = Params.display(value);
        if (value instanceof Number n && (ref.endsWith("seconds") || ref.endsWith("-s") || ref.endsWith("_s"))) {
            text += " (" + Durations.format(java.time.Duration.ofSeconds(n.longValue())) + ")";
        }
        return text;
    }

    /** What a read-only probe found: a line and the outputs it knows, or why it failed. */
    private record Probed(String line, Map<String, Object> outputs, String problem) {
    }

    private Probed probe(BoundStep b, Params params, String id) {
        boolean unknown = params.asMap().values().stream().anyMatch(v -> v instanceof Deferred || v instanceof Secret);
        if (unknown) {
            return new Probed("not looked at (its parameters are only known at run time)", null, null);
        }
        try {
            return b.action().action().preview(params, probeContext.apply(id))
                    .map(p -> new Probed(p.summary(), p.outputs(), null))
                    .orElse(new Probed(null, null, null));
        } catch (Exception e) {
            String message = e.getMessage() == null || e.getMessage().isBlank() ? "the look failed" : e.getMessage();
            return new Probed(null, null, message);
        }
    }

    private void secretWarnings(Runbook rb, List<String> warnings) {
        for (SecretDef s : rb.secrets().values()) {
            if (s.optional()) {
                continue;
            }
            if (s.env() != null && (env.get(s.env()) == null || env.get(s.env()).isEmpty())) {
                warnings.add("secret '" + s.name() + "': environment variable " + s.env() + " is not set; the run will stop before its first step");
            }
            if (s.file() != null && !Files.isReadable(rb.file().getParent().resolve(s.file()))) {
                warnings.add("secret '" + s.name() + "': file " + s.file() + " is not readable; the run will stop before its first step");
            }
        }
    }

    /** SHA-256 over the runbook's text and the text of every runbook it calls. */
    public static String sourceHash(ValidRunbook valid) {
        MessageDigest md = Sha256.digest();
        hashInto(valid, md, new java.util.HashSet<>());
        return Sha256.hex(md);
    }

    private static void hashInto(ValidRunbook valid, MessageDigest md, java.util.Set<Path> seen) {
        if (!seen.add(valid.runbook().file())) {
            return;
        }
        md.update(valid.source().getBytes(StandardCharsets.UTF_8));
        for (BoundStep b : valid.steps().values()) {
            if (b.called() != null) {
                hashInto(b.called(), md, seen);
            }
        }
    }
}
