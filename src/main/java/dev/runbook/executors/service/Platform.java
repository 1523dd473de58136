package dev.runbook.executors.service;

import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Target;

import java.util.Optional;

/** The two kinds of target a {@code service} step maps onto. */
enum Platform {
    COMPOSE("compose", "project"),
    KUBERNETES("kubernetes", "namespace");

    private final String kind;
    /** The target setting that names where the services live, shown in plans. */
    private final String scopeSetting;

    Platform(String kind, String scopeSetting) {
        this.kind = kind;
        this.scopeSetting = scopeSetting;
    }

    String kind() {
        return kind;
    }

    String scopeSetting() {
        return scopeSetting;
    }

    static Optional<Platform> find(Target target) {
        if (target == null) {
            return Optional.empty();
        }
        for (Platform p : values()) {
            if (p.kind.equals(target.kind())) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** The run's platform, or a failure that says how to choose one. */
    static Platform of(Target target) throws StepFailure {
        return find(target).orElseThrow(() -> new StepFailure(
                "service steps act on a Docker Compose project or a Kubernetes namespace, but this run's target is "
                        + (target == null ? "not set" : "'" + target.kind() + "'")
                        + ". Run with --target compose or --target kubernetes (the runbook's `target:` section "
                        + "must have that entry), or set `target: { default: compose }`. Nothing was changed.",
                false, null));
    }
}
