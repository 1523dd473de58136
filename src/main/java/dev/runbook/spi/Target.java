package dev.runbook.spi;

import java.util.Map;

/**
 * Where a runbook runs: a Docker Compose project or a Kubernetes cluster (or {@code local}
 * for runbooks that need neither). Chosen in the runbook's {@code target:} section or with
 * {@code --target}; the compose and kubectl executors read their settings from here.
 *
 * @param kind     {@code compose}, {@code kubernetes} or {@code local}
 * @param settings the chosen target's settings (project, files, context, namespace, ...)
 */
public record Target(String kind, Map<String, Object> settings) {

    public static final Target LOCAL = new Target("local", Map.of());

    public Target {
        settings = Map.copyOf(settings);
    }

    public String setting(String name, String fallback) {
        Object v = settings.get(name);
        return v == null ? fallback : String.valueOf(v);
    }
}
