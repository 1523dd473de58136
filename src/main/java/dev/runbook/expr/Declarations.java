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
        for (String s : secret) {
            secretNames.add("steps." + cel + ".outputs." + CelNames.name(s));
        }
        return this;
    }

    /** The step id as written, for a CEL name ({@code find_backup} → {@code find-backup}). */
    public String stepId(String celName) {
        return stepIds.getOrDefault(celName, celName);
    }

    public java.util.Collection<String> stepIds() {
        return stepIds.values();
    }

    public List<String> inputNames() {
        return List.copyOf(inputs.keySet());
    }
}
