package dev.runbook.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One step as written in the runbook.
 *
 * @param uses            {@code executor.action}, {@code executor} (its default action) or
 *                        {@code ./other.yaml} (call another runbook; {@code with:} are its inputs)
 * @param with            raw parameters: literals, or strings with {@code ${{ ... }}} expressions
 * @param needs           explicit dependencies (step ids)
 * @param condition       the {@code if:} expression, or null
 * @param timeout         null for none
 * @param fieldLocations  where each field (and each {@code with.<param>}) was written, for messages
 */
public record Step(String id, String name, String uses, Map<String, Object> with, List<String> needs,
                   String condition, RetryPolicy retry, Duration timeout, boolean continueOnError,
                   Location location, Map<String, Location> fieldLocations) {

    public Step {
        // keep the order written (plans list parameters as written) and allow `key:` with no value
        with = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(with));
        needs = List.copyOf(needs);
        fieldLocations = Map.copyOf(fieldLocations);
    }

    /** Where a field was written, falling back to the step itself. */
    public Location locationOf(String field) {
        return fieldLocations.getOrDefault(field, location);
    }

    /** Whether this step calls another runbook rather than an executor. */
    public boolean callsRunbook() {
        return uses != null && (uses.startsWith("./") || uses.startsWith("../") || uses.endsWith(".yaml") || uses.endsWith(".yml"));
    }

    public String displayName() {
        return name == null ? id : name;
    }
}
