package dev.runbook.engine;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Scope;
import dev.runbook.expr.Template;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.BoundStep;
import dev.runbook.spi.Deferred;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What corrected inputs ({@code resume --input k=v}) change in a run: the inputs whose value
 * differs, and the steps that must run again because their resolved parameters differ (and
 * everything downstream of those). A parameter that also reads a step output cannot be
 * resolved before the run; it counts as changed when it reads a changed input.
 *
 * @param changed input name → {@code {"from": before, "to": after}}, for the journal
 * @param rerun   full ids of the steps to run again (with the steps inside called runbooks)
 */
public record InputCorrection(Map<String, Object> changed, Set<String> rerun) {

    static final InputCorrection NONE = new InputCorrection(Map.of(), Set.of());

    /**
     * @param previous what the run recorded so far: the steps inside a called runbook are found here
     */
    static InputCorrection of(ValidRunbook valid, Map<String, Object> before, Map<String, Object> after,
                              Map<String, String> env, String runId, Instant started, String target,
                              Set<String> previous) {
        Map<String, Object> changed = new LinkedHashMap<>();
        Set<String> names = new LinkedHashSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            if (!Objects.equals(before.get(name), after.get(name))) {
                Map<String, Object> change = new LinkedHashMap<>();
                change.put("from", before.get(name));
                change.put("to", after.get(name));
                changed.put(name, change);
            }
        }
        if (changed.isEmpty()) {
            return NONE;
        }
        // secrets unknown (null), as while planning: a value that reads one is deferred on both sides
        Scope was = new Scope(new LinkedHashMap<>(before), null, env, runId, started, target);
        Scope now = new Scope(new LinkedHashMap<>(after), null, env, runId, started, target);
        Set<String> rerun = new LinkedHashSet<>();
        for (Map.Entry<String, BoundStep> e : valid.steps().entrySet()) {
            BoundStep b = e.getValue();
            if (b.section() == ValidRunbook.Section.MAIN && paramsChange(valid, b, was, now, changed.keySet())) {
                rerun.addAll(valid.main().downstreamOf(e.getKey()));
            }
        }
        // a called runbook whose inputs change: everything it ran may change
        for (String id : Set.copyOf(rerun)) {
            previous.stream().filter(p -> p.startsWith(id + "/")).forEach(rerun::add);
        }
        return new InputCorrection(changed, rerun);
    }

    private static boolean paramsChange(ValidRunbook valid, BoundStep b, Scope was, Scope now, Set<String> changedInputs) {
        Object raw = b.step().with();
        try {
            Object before = valid.evaluator().resolve(raw, was);
            Object after = valid.evaluator().resolve(raw, now);
            return !Objects.equals(before, after) || readsAny(valid, after, changedInputs);
        } catch (ExpressionException e) {
            return readsAny(valid, raw, changedInputs); // cannot tell by value: tell by what it reads
        }
    }

    /** Whether a deferred value, or any expression in a raw value, reads one of the inputs. */
    private static boolean readsAny(ValidRunbook valid, Object value, Set<String> inputs) {
        if (value instanceof Deferred d) {
            return readsAny(valid, d.expression().contains(Template.OPEN) ? d.expression() : Template.OPEN + d.expression() + Template.CLOSE, inputs);
        }
        if (value instanceof Map<?, ?> m) {
            return m.values().stream().anyMatch(v -> readsAny(valid, v, inputs));
        }
        if (value instanceof List<?> l) {
            return l.stream().anyMatch(v -> readsAny(valid, v, inputs));
        }
        if (value instanceof String s && Template.containsExpression(s)) {
            try {
                for (Template.Expr x : Template.parse(s).expressions()) {
                    for (String ref : valid.evaluator().expressions().compile(x.text()).references()) {
                        if (ref.startsWith("inputs.") && inputs.contains(ref.substring("inputs.".length()))) {
                            return true;
                        }
                    }
                }
            } catch (ExpressionException | IllegalArgumentException e) {
                return true; // validated runbooks compile; if not, running it again is the safe side
            }
        }
        return false;
    }
}
