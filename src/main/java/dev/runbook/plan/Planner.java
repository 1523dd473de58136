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

    public Plan plan(ValidRunbook valid, Map<String, Object> givenInputs, Target target) throws InvalidRunbookException {
        Invocation.Context context = new Invocation.Context(env, "(planned)", Instant.now(), target);
        Invocation.Bound bound = Invocation.bind(valid, givenInputs, null, context, "");
        if (!bound.problems().isEmpty()) {
            throw new InvalidRunbookException(bound.problems());
        }
        Invocation top = bound.invocation();
        Runbook rb = valid.runbook();
        List<String> warnings = new ArrayList<>();
        secretWarnings(rb, warnings);
        List<Plan.PlannedCheck> checks = new ArrayList<>();
        for (Precondition p : rb.preconditions()) {
            checks.add(check(valid, p, top.scope(), warnings));
        }
        List<Plan.PlannedSection> sections = sections(top, warnings, context);
        Map<String, Object> shownInputs = new LinkedHashMap<>();
        top.scope().inputs().forEach((k, v) -> shownInputs.put(k, v instanceof java.time.Duration d ? Durations.literal(d) : v));
        return new Plan(Plan.FORMAT, rb.name(), rb.file().toString(), sourceHash(valid), shownInputs, target.kind(),
                rb.deadline() == null ? null : Durations.literal(rb.deadline()), checks, sections, warnings);
    }

    /** The sections of one invocation, in the order the engine runs them. */
    private List<Plan.PlannedSection> sections(Invocation inv, List<String> warnings, Invocation.Context context) {
        List<Plan.PlannedSection> sections = new ArrayList<>();
        for (Section section : inv.sections()) {
            StepGraph graph = inv.runbook().graph(section);
            List<List<Plan.PlannedStep>> waves = new ArrayList<>();
            for (List<String> wave : graph.waves()) {
                List<Plan.PlannedStep> planned = new ArrayList<>();
                for (String id : wave) {
                    planned.add(step(inv, inv.runbook().steps().get(id), graph, warnings, context));
                }
                waves.add(planned);
            }
            sections.add(new Plan.PlannedSection(Invocation.label(section), waves));
        }
        return sections;
    }

    private Plan.PlannedStep step(Invocation inv, BoundStep b, StepGraph graph, List<String> warnings,
                                  Invocation.Context context) {
        ValidRunbook valid = inv.runbook();
        Scope scope = inv.scope();
        String prefix = inv.prefix();
        Target target = context.target();
        Step step = b.step();
        Map<String, Object> resolved = resolveParams(valid, b, scope, warnings, prefix);
        Map<String, String> shown = new LinkedHashMap<>();
        resolved.forEach((k, v) -> shown.put(k, Params.display(v)));
        String description;
        boolean destructive = false;
        boolean approval = false;
        String probe = null;
        List<Plan.PlannedSection> calls = List.of();
        if (b.action() != null) {
            Params params = Params.of(resolved);
            description = b.action().action().describe(params, target);
            destructive = b.action().action().destructive(params);
            approval = b.action().action().needsApproval(params);
            probe = probe(b, params, prefix + step.id());
        } else {
            description = "run the steps of " + step.uses() + " (below)";
            calls = calledSections(b, resolved, warnings, inv.fullId(step.id()) + "/", context);
        }
        RetryPolicy r = step.retry();
        return new Plan.PlannedStep(prefix + step.id(), step.name(), step.uses(), description, shown,
                graph.dependenciesOf(step.id()).stream().map(d -> prefix + d).toList(), step.condition(),
                decision(valid, step, scope, warnings), r.attempts(), Durations.literal(r.delay()),
                r.backoff().name().toLowerCase(Locale.ROOT), step.timeout() == null ? null : Durations.literal(step.timeout()),
                step.continueOnError(), destructive, approval, calls, probe);
    }

    private List<Plan.PlannedSection> calledSections(BoundStep b, Map<String, Object> with, List<String> warnings,
                                                     String prefix, Invocation.Context context) {
        Map<String, Object> given = new LinkedHashMap<>();
        with.forEach((k, v) -> given.put(k, v instanceof Secret ? new Deferred("secret") : v));
        Invocation.Bound bound = Invocation.bind(b.called(), given, null, context, prefix);
        bound.problems().forEach(p -> warnings.add("step " + prefix + ": " + p.format()));
        return sections(bound.invocation(), warnings, context);
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

    private static Plan.PlannedCheck check(ValidRunbook valid, Precondition p, Scope scope, List<String> warnings) {
        try {
            Boolean v = valid.evaluator().condition(p.check(), scope);
            if (v == null) {
                return new Plan.PlannedCheck(p.check(), p.message(), "decided at run time");
            }
            if (!v) {
                warnings.add("precondition fails now: " + (p.message() != null ? p.message() : p.check()));
            }
            return new Plan.PlannedCheck(p.check(), p.message(), v ? "holds" : "FAILS");
        } catch (ExpressionException e) {
            warnings.add("precondition " + p.check() + ": " + e.getMessage());
            return new Plan.PlannedCheck(p.check(), p.message(), "cannot be decided: " + e.getMessage());
        }
    }

    private String probe(BoundStep b, Params params, String id) {
        if (probeContext == null) {
            return null;
        }
        boolean unknown = params.asMap().values().stream().anyMatch(v -> v instanceof Deferred || v instanceof Secret);
        if (unknown) {
            return "cannot be previewed: its parameters are only known at run time";
        }
        try {
            return b.action().action().probe(params, probeContext.apply(id)).orElse(null);
        } catch (Exception e) {
            return "PREVIEW FAILED: " + e.getMessage();
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
