package dev.runbook.executors.service;

import dev.runbook.spi.Action;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One concrete action a {@code service} step performs, with the parameters mapped for it.
 * Values are kept raw: secrets stay {@code Secret} (only sensitive parameters receive them) and,
 * while planning, run-time values stay {@code Deferred}.
 */
record Invocation(Target target, Map<String, Object> params) {

    /** An executor's action. */
    record Target(String executor, Action action) {
    }

    Invocation {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params)); // may hold nulls: absent
    }

    static Invocation of(Target target, Map<String, Object> params) {
        return new Invocation(target, params);
    }

    /** {@code compose.up}, {@code kubectl.scale}, ... */
    String qualifiedName() {
        return target.executor() + "." + target.action().name();
    }

    /** The mapped parameters with the concrete action's defaults filled in, as the engine would. */
    Params asParams() {
        Map<String, Object> all = new LinkedHashMap<>();
        for (ParamSpec spec : target.action().params()) {
            if (spec.defaultValue() != null) {
                all.put(spec.name(), spec.defaultValue());
            }
        }
        params.forEach((k, v) -> {
            if (v != null) {
                all.put(k, v);
            }
        });
        return Params.of(all);
    }

    String describe() {
        return target.action().describe(asParams());
    }

    Outputs run(StepContext context) throws Exception {
        Outputs out = target.action().execute(asParams(), context);
        return out == null ? Outputs.none() : out;
    }
}
