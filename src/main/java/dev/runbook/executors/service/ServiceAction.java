package dev.runbook.executors.service;

import dev.runbook.spi.Action;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Target;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A target-neutral action: it maps its parameters to one or more {@code compose.*} or
 * {@code kubectl.*} invocations (chosen by the run's target kind) and runs them in order with
 * the same StepContext. The mapping works on raw values, so it is pure and serves the plan too.
 */
abstract class ServiceAction implements Action {

    /**
     * The concrete invocations on this platform. {@code params} carries the target's
     * project/namespace when known (see {@link #scoped}). Pure: may see run-time values while planning.
     */
    abstract List<Invocation> map(Platform platform, Params params) throws StepFailure;

    /** The step's outputs from the invocations' outputs (in invocation order). */
    Outputs outputs(Platform platform, List<Outputs> results) {
        return Outputs.none();
    }

    /** The effect on one platform, in words (pure). Defaults to the invocations' own descriptions. */
    String describeOn(Platform platform, Params params) {
        try {
            return String.join(", then ", map(platform, params).stream().map(Invocation::describe).toList());
        } catch (StepFailure e) {
            return "fails: " + e.getMessage();
        }
    }

    @Override
    public final String describe(Params params) {
        return "compose: " + describeOn(Platform.COMPOSE, params) + " | kubernetes: "
                + describeOn(Platform.KUBERNETES, params);
    }

    @Override
    public final String describe(Params params, Target target) {
        return Platform.find(target)
                .map(p -> p.kind() + ": " + describeOn(p, scoped(params, p, target)))
                .orElseGet(() -> "fails on target '" + (target == null ? "none" : target.kind())
                        + "' (service steps need --target compose or kubernetes); " + describe(params));
    }

    @Override
    public final Outputs execute(Params params, StepContext context) throws Exception {
        Platform platform = Platform.of(context.target());
        List<Invocation> invocations = map(platform, scoped(params, platform, context.target()));
        List<Outputs> results = new ArrayList<>();
        for (Invocation invocation : invocations) {
            if (invocations.size() > 1) {
                context.log().info(platform.kind() + ": " + invocation.describe());
            }
            results.add(invocation.run(context));
        }
        return outputs(platform, results);
    }

    /**
     * The parameters plus the target's project (compose) or namespace (kubernetes), so plans
     * name them and the concrete actions use exactly what the plan said.
     */
    static Params scoped(Params params, Platform platform, Target target) {
        Map<String, Object> all = new LinkedHashMap<>(params.asMap());
        String setting = platform.scopeSetting();
        if (target != null && target.kind().equals(platform.kind()) && target.settings().get(setting) != null) {
            all.put(setting, target.settings().get(setting));
        }
        return Params.of(all);
    }

    /** Mapped parameters: {@code name, value} pairs; null values are left out. */
    static Map<String, Object> with(Object... pairs) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            if (pairs[i + 1] != null) {
                out.put((String) pairs[i], pairs[i + 1]);
            }
        }
        return out;
    }

    /** The compose project or kubernetes namespace carried over from {@link #scoped}. */
    static Map<String, Object> scope(Platform platform, Params params, Map<String, Object> mapped) {
        Object value = params.raw(platform.scopeSetting());
        if (value != null) {
            mapped.put(platform.scopeSetting(), value);
        }
        return mapped;
    }
}
