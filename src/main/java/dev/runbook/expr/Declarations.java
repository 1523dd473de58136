package dev.runbook.expr;

import dev.runbook.spi.ParamType;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What expressions in one runbook may refer to: its inputs with their types, its secrets,
 * and each step's outputs. Names are the dotted CEL names, e.g. {@code inputs.bucket},
 * {@code secrets.db_password}, {@code steps.find.outputs.key}.
 */
public final class Declarations {

    final Map<String, ParamType> inputs = new LinkedHashMap<>();
    final Set<String> secrets = new LinkedHashSet<>();
    /** step id → its declared outputs, or null when the step may produce any (runbook calls) */
    final Map<String, Set<String>> stepOutputs = new LinkedHashMap<>();
    /** dotted names whose values are secret */
    final Set<String> secretNames = new LinkedHashSet<>();
    /** CEL name → step id as written */
    private final Map<String, String> stepIds = new LinkedHashMap<>();
    /** "step.output" in CEL names → the output's name as declared ({@code latency_ms} → {@code latency-ms}) */
    private final Map<String, String> outputNames = new LinkedHashMap<>();

    public Declarations input(String name, ParamType type) {
        inputs.put(name, type);
        return this;
    }

    public Declarations secret(String name) {
        secrets.add(name);
        secretNames.add("secrets." + name);
        return this;
    }

    /**
     * @param outputs the declared output names, or null when any name is allowed
     * @param secret  the names among them that hold secrets
     */
    public Declarations step(String id, Collection<String> outputs, Collection<String> secret) {
        String cel = CelNames.name(id);
        stepIds.put(cel, id);
        stepOutputs.put(cel, outputs == null ? null : new LinkedHashSet<>(outputs.stream().map(CelNames::name).toList()));
        if (outputs != null) {
            outputs.forEach(o -> outputNames.put(cel + "." + CelNames.name(o), o));
        }
        for (String s : secret) {
            secretNames.add("steps." + cel + ".outputs." + CelNames.name(s));
        }
        return this;
    }

    /** The step id as written, for a CEL name ({@code find_backup} → {@code find-backup}). */
    public String stepId(String celName) {
        return stepIds.getOrDefault(celName, celName);
    }

    /** An output's name as its action declares it, for messages: people write {@code latency-ms}, not {@code latency_ms}. */
    public String outputName(String celStep, String celOutput) {
        return outputNames.getOrDefault(celStep + "." + celOutput, celOutput);
    }

    public java.util.Collection<String> stepIds() {
        return stepIds.values();
    }

    public List<String> inputNames() {
        return List.copyOf(inputs.keySet());
    }
}
