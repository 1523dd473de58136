package dev.runbook.engine;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Secret;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Holds an action to the outputs it declares ({@link Action#outputs()}): a name it never
 * declared is a bug in the executor, and a value declared {@code sensitive} is a secret whatever
 * method set it ({@code put} as well as {@code putSecret}), so the journal, {@code show} and the
 * logs only ever see it masked.
 */
final class OutputContract {

    private OutputContract() {
    }

    /** What a step produced, checked against its action's declarations. */
    sealed interface Checked {
    }

    /** Declared outputs only; sensitive ones wrapped as {@link Secret}. */
    record Accepted(Map<String, Object> values) implements Checked {
    }

    /** The action produced names it never declared: the step fails, and the run reports an executor bug. */
    record Undeclared(String message) implements Checked {
    }

    static Checked check(String qualifiedAction, Action action, Map<String, Object> produced) {
        Map<String, OutputSpec> declared = new LinkedHashMap<>();
        for (OutputSpec spec : action.outputs()) {
            declared.put(spec.name(), spec);
        }
        List<String> undeclared = produced.keySet().stream().filter(name -> !declared.containsKey(name)).toList();
        if (!undeclared.isEmpty()) {
            return new Undeclared("bug in the executor: action " + qualifiedAction + " produced output"
                    + (undeclared.size() == 1 ? " " : "s ") + String.join(", ", undeclared)
                    + " that it does not declare (declared: "
                    + (declared.isEmpty() ? "none" : String.join(", ", declared.keySet()))
                    + "); please report this to the executor's authors");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        produced.forEach((name, value) -> out.put(name, declared.get(name).sensitive() ? secret(value) : value));
        return new Accepted(out);
    }

    private static Object secret(Object value) {
        return value == null || value instanceof Secret ? value : new Secret(String.valueOf(value));
    }
}
