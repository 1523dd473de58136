package dev.runbook.model;

import java.util.Map;

/**
 * The runbook's {@code target:} section: settings per target kind and the default choice.
 * The same runbook can run against Docker Compose or Kubernetes, chosen with {@code --target}.
 *
 * @param defaultKind {@code compose}, {@code kubernetes}, or null (then {@code local})
 * @param settings    kind → its settings (compose: project, files; kubernetes: context, namespace)
 */
public record TargetSection(String defaultKind, Map<String, Map<String, Object>> settings, Location location) {

    public static TargetSection none(String file) {
        return new TargetSection(null, Map.of(), Location.unknown(file));
    }
}
