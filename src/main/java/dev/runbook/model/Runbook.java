package dev.runbook.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A parsed runbook: the procedure as data, before any expression is evaluated.
 *
 * @param file       the file it was read from (absolute)
 * @param deadline   the recovery-time budget for the whole run, or null
 * @param grace      how long {@code on-failure} and {@code finally} may still run after a deadline or
 *                   Ctrl-C cancelled the main steps, or null for the default ({@link #DEFAULT_GRACE})
 * @param onFailure  steps run when the main steps failed
 * @param cleanup    the {@code finally:} steps, run whatever happened
 * @param outputs    runbook outputs (name → expression), read by a calling runbook
 * @param outputLocations where each output's expression was written, for messages
 */
public record Runbook(String name, String description, Path file, Map<String, InputDef> inputs,
                      Map<String, SecretDef> secrets, List<Precondition> preconditions, Duration deadline,
                      Duration grace,
                      TargetSection target, List<Step> steps, List<Step> onFailure, List<Step> cleanup,
                      Map<String, String> outputs, Map<String, Location> outputLocations, Location location) {

    /** The grace period when a runbook sets none: enough to notify a channel and release a lock. */
    public static final Duration DEFAULT_GRACE = Duration.ofMinutes(2);

    public Runbook {
        inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
        secrets = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(secrets));
        preconditions = List.copyOf(preconditions);
        steps = List.copyOf(steps);
        onFailure = List.copyOf(onFailure);
        cleanup = List.copyOf(cleanup);
        outputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputs));
        outputLocations = Map.copyOf(outputLocations);
    }

    /** Where an output's expression was written, falling back to the runbook itself. */
    public Location locationOfOutput(String name) {
        return outputLocations.getOrDefault(name, location);
    }

    /** The grace period for cleanup after a cancellation: the runbook's {@code grace:} or the default. */
    public Duration gracePeriod() {
        return grace != null ? grace : DEFAULT_GRACE;
    }

    /** Every step in all three sections, in file order. */
    public List<Step> allSteps() {
        java.util.ArrayList<Step> all = new java.util.ArrayList<>(steps);
        all.addAll(onFailure);
        all.addAll(cleanup);
        return all;
    }
}
