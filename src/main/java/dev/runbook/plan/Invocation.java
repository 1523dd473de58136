package dev.runbook.plan;

import dev.runbook.expr.Scope;
import dev.runbook.model.Problem;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.spi.Target;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One invocation of a runbook: a top-level run, a step that calls another runbook, or a plan
 * of either. It binds the given inputs once, holds the scope its expressions read, the prefix
 * of its step ids in the journal ({@code restore/} for a called runbook), and the order of its
 * lifecycle. The planner lists the sections in this order; the engine runs them in it.
 *
 * @param prefix "" for the top level, {@code callerStep/} for a called runbook
 */
public record Invocation(ValidRunbook runbook, Scope scope, String prefix) {

    /**
     * The invocation, and the problems that keep its inputs from binding: a run must not start
     * with any; a plan shows them as warnings and the values that did bind.
     */
    public record Bound(Invocation invocation, List<Problem> problems) {
    }

    /** Where an invocation runs: the run's id, start and target, and the environment. */
    public record Context(Map<String, String> env, String runId, Instant started, Target target) {
    }

    /**
     * Binds inputs (defaults, types, environment) and makes the scope.
     *
     * @param secrets the resolved secrets, or null when planning (they are never read for a plan)
     */
    public static Bound bind(ValidRunbook runbook, Map<String, Object> given, Map<String, String> secrets,
                             Context context, String prefix) {
        InputBinder.Bound bound = InputBinder.bind(runbook, given, context.env(), context.runId(), context.started(),
                context.target().kind());
        return new Bound(of(runbook, bound.values(), secrets, context, prefix), bound.problems());
    }

    /** An invocation with inputs bound already (a run binds them before it resolves secrets). */
    public static Invocation of(ValidRunbook runbook, Map<String, Object> inputs, Map<String, String> secrets,
                                Context context, String prefix) {
        Scope scope = new Scope(new LinkedHashMap<>(inputs), secrets, context.env(), context.runId(),
                context.started(), context.target().kind())
                .within(prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 1));
        return new Invocation(runbook, scope, prefix);
    }

    /** The lifecycle's order: the main steps, then {@code on-failure}, then {@code finally}. */
    private static final List<Section> LIFECYCLE = List.of(Section.MAIN, Section.ON_FAILURE, Section.FINALLY);

    /**
     * The sections in lifecycle order: the main steps, then {@code on-failure} (only when the
     * main steps failed: {@link #runs}), then {@code finally} (always). Empty sections are left
     * out. The planner lists them in this order; the engine runs them in it.
     */
    public List<Section> sections() {
        List<Section> out = new ArrayList<>();
        for (Section s : LIFECYCLE) {
            if (!runbook.graph(s).steps().isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Whether a section runs, given whether what ran before it failed: {@code on-failure} only then, the others always. */
    public static boolean runs(Section section, boolean failedBefore) {
        return section != Section.ON_FAILURE || failedBefore;
    }

    /** The id a step of this invocation has in the journal. */
    public String fullId(String stepId) {
        return prefix + stepId;
    }

    /** How a section is named in plans and messages: {@code main}, {@code on-failure}, {@code finally}. */
    public static String label(Section section) {
        return section.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
    }
}
