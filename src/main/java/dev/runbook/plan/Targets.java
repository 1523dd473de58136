package dev.runbook.plan;

import dev.runbook.model.TargetSection;
import dev.runbook.spi.Target;

import java.util.Map;

/** Chooses the target a run goes against: {@code --target}, else the runbook's default, else local. */
public final class Targets {

    private Targets() {
    }

    /** @throws IllegalArgumentException when the chosen kind has no settings and is not local */
    public static Target choose(TargetSection section, String override) {
        String kind = override != null ? override : section.defaultKind() != null ? section.defaultKind() : "local";
        if (!kind.equals("local") && !kind.equals("compose") && !kind.equals("kubernetes")) {
            throw new IllegalArgumentException("unknown target '" + kind + "'; use compose, kubernetes or local");
        }
        Map<String, Object> settings = section.settings().get(kind);
        if (settings == null && override != null && !kind.equals("local") && !section.settings().isEmpty()) {
            throw new IllegalArgumentException("this runbook has no `target: " + kind + ":` section; it declares: "
                    + String.join(", ", section.settings().keySet()));
        }
        return new Target(kind, settings == null ? Map.of() : settings);
    }
}
