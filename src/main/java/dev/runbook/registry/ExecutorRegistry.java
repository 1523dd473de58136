package dev.runbook.registry;

import dev.runbook.model.DidYouMean;
import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The executors available to this run, found with {@link ServiceLoader}. Rejects duplicate
 * executor and action names when loaded, and resolves {@code uses:} to an action with a
 * helpful message when it cannot.
 */
public final class ExecutorRegistry {

    private final Map<String, Executor> executors;

    public ExecutorRegistry(List<Executor> list) {
        Map<String, Executor> byName = new TreeMap<>();
        for (Executor e : list) {
            if (byName.putIfAbsent(e.name(), e) != null) {
                throw new IllegalStateException("two executors are named '" + e.name() + "': "
                        + byName.get(e.name()).getClass().getName() + " and " + e.getClass().getName());
            }
            List<String> seen = new ArrayList<>();
            for (Action a : e.actions()) {
                if (seen.contains(a.name())) {
                    throw new IllegalStateException("executor '" + e.name() + "' declares action '" + a.name() + "' twice");
                }
                seen.add(a.name());
            }
        }
        this.executors = Collections.unmodifiableMap(byName);
    }

    /** Every executor on the class path (META-INF/services/dev.runbook.spi.Executor). */
    public static ExecutorRegistry load() {
        List<Executor> found = new ArrayList<>();
        ServiceLoader.load(Executor.class).forEach(found::add);
        return new ExecutorRegistry(found);
    }

    public Map<String, Executor> executors() {
        return executors;
    }

    /** An action found for a {@code uses:} value. */
    public record Resolved(Executor executor, Action action) {
        public String qualifiedName() {
            return executor.name() + "." + action.name();
        }
    }

    /** Resolves {@code executor.action} or {@code executor} (its default action). */
    public Resolved resolve(String uses) throws UnknownActionException {
        int dot = uses.indexOf('.');
        String executorName = dot < 0 ? uses : uses.substring(0, dot);
        Executor executor = executors.get(executorName);
        if (executor == null) {
            String hint = DidYouMean.hint(executorName, executors.keySet());
            throw new UnknownActionException("unknown executor '" + executorName + "'",
                    hint != null ? hint : "available: " + String.join(", ", executors.keySet()));
        }
        Optional<String> actionName = dot < 0 ? executor.defaultAction() : Optional.of(uses.substring(dot + 1));
        List<String> names = executor.actions().stream().map(Action::name).toList();
        if (actionName.isEmpty()) {
            throw new UnknownActionException("executor '" + executorName + "' needs an action: `uses: "
                    + executorName + ".<action>`", "actions: " + String.join(", ", names));
        }
        for (Action a : executor.actions()) {
            if (a.name().equals(actionName.get())) {
                return new Resolved(executor, a);
            }
        }
        String hint = DidYouMean.hint(actionName.get(), names);
        throw new UnknownActionException("executor '" + executorName + "' has no action '" + actionName.get() + "'",
                hint != null ? hint : "actions: " + String.join(", ", names));
    }

    /** {@code uses:} could not be resolved; {@link #hint()} suggests what was meant. */
    public static final class UnknownActionException extends Exception {
        private final String hint;

        public UnknownActionException(String message, String hint) {
            super(message);
            this.hint = hint;
        }

        public String hint() {
            return hint;
        }
    }
}
