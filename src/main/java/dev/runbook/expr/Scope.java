package dev.runbook.expr;

import dev.cel.runtime.CelVariableResolver;
import dev.runbook.spi.Secret;

import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The values expressions see at one moment of a run (or of planning, where secrets and the
 * outputs of steps that have not run are unknown).
 */
public final class Scope implements CelVariableResolver {

    private final Map<String, Object> inputs;
    private final Map<String, String> secrets; // null while planning: never read for a plan
    private final Map<String, String> env;
    private final String runId;
    private final Instant started;
    private final String target;
    private final Map<String, Map<String, Object>> outputs = new HashMap<>();
    private final Map<String, String> statuses = new HashMap<>();
    private Expressions.RunStatus status = Expressions.RunStatus.OK;
    private String within; // the calling step of a called runbook's invocation, or null

    public Scope(Map<String, Object> inputs, Map<String, String> secrets, Map<String, String> env,
                 String runId, Instant started, String target) {
        this.inputs = inputs;
        this.secrets = secrets;
        this.env = env;
        this.runId = runId;
        this.started = started;
        this.target = target;
    }

    /**
     * Names the step that calls this runbook ({@code load}, or {@code load/inner} when nested),
     * so values a plan shows as known only at run time say whose steps they wait for.
     */
    public Scope within(String callingStep) {
        this.within = callingStep;
        return this;
    }

    /** The calling step of a called runbook, or null at the top level. */
    public String within() {
        return within;
    }

    /** Records a finished step so later expressions can read it. */
    public synchronized void stepFinished(String id, String stepStatus, Map<String, Object> stepOutputs) {
        String cel = CelNames.name(id);
        statuses.put(cel, stepStatus);
        Map<String, Object> byCelName = new HashMap<>();
        if (stepOutputs != null) {
            stepOutputs.forEach((k, v) -> byCelName.put(CelNames.name(k), v));
        }
        outputs.put(cel, byCelName);
    }

    /** Whether a step has ended (in any way). */
    public synchronized boolean ended(String id) {
        return statuses.containsKey(CelNames.name(id));
    }

    /** Whether a step has ended successfully (reused results count). */
    public synchronized boolean succeeded(String id) {
        return "succeeded".equals(statuses.get(CelNames.name(id)));
    }

    /** How a step ended ({@code succeeded}, {@code skipped}, {@code failed-ignored}, ...), or null when it has not. */
    public synchronized String statusOf(String id) {
        return statuses.get(CelNames.name(id));
    }

    public synchronized void status(Expressions.RunStatus s) {
        this.status = s;
    }

    public synchronized Expressions.RunStatus status() {
        return status;
    }

    public Map<String, Object> inputs() {
        return Collections.unmodifiableMap(inputs);
    }

    /** Whether a reference can be resolved now (false for a step that has not run, or secrets while planning). */
    public synchronized boolean known(String reference) {
        if (reference.startsWith("steps.")) {
            return statuses.containsKey(reference.split("\\.")[1]);
        }
        if (reference.startsWith("secrets.")) {
            return secrets != null;
        }
        if (reference.startsWith("inputs.")) {
            return !(inputs.get(reference.substring(7)) instanceof dev.runbook.spi.Deferred);
        }
        return true;
    }

    @Override
    public synchronized Optional<Object> find(String name) {
        if (name.equals("env")) {
            return Optional.of(env);
        }
        if (name.startsWith("inputs.")) {
            return Optional.ofNullable(Expressions.toCel(inputs.get(name.substring(7))));
        }
        if (name.startsWith("secrets.")) {
            return secrets == null ? Optional.empty() : Optional.ofNullable(secrets.get(name.substring(8)));
        }
        switch (name) {
            case "run.id":
                return Optional.of(runId);
            case "run.started":
                return Optional.of(started);
            case "run.target":
                return Optional.of(target);
            default:
                break;
        }
        if (name.equals("steps")) {
            Map<String, Object> all = new HashMap<>();
            statuses.forEach((id, status) -> {
                Map<String, Object> revealed = new HashMap<>();
                outputs.getOrDefault(id, Map.of()).forEach((k, v) -> revealed.put(k, reveal(v)));
                all.put(id, Map.of("status", status, "outputs", revealed));
            });
            return Optional.of(all);
        }
        return Optional.empty();
    }

    private static Object reveal(Object v) {
        return v instanceof Secret s ? s.reveal() : Expressions.toCel(v);
    }
}
