package dev.runbook.spi;

import java.util.Map;

/**
 * What a read-only probe found for {@code runbook plan --refresh}: a line for people and, when
 * the probe already knows them, the outputs the step would produce now (s3.latest: the newest
 * backup and its age), so the plan can decide preconditions that read them.
 *
 * @param summary one line shown under the step
 * @param outputs outputs by name, as {@link Action#execute} would return them; may be empty
 */
public record Preview(String summary, Map<String, Object> outputs) {

    public Preview {
        outputs = Map.copyOf(outputs);
    }

    public static Preview of(String summary) {
        return new Preview(summary, Map.of());
    }
}
