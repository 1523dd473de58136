package dev.runbook.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one step acts, as the plan resolves it from the step's parameters, the run's target and
 * local configuration (a kubeconfig read as data): nothing is connected to. See
 * {@link Executor#resolve}.
 *
 * @param touches  what the step touches, named, one line each (the plan's "Touches")
 * @param settings values of parameters the step leaves out, as they were resolved (a Compose
 *                 {@code project}; a Kubernetes {@code namespace} and {@code context}), by
 *                 parameter name: the plan fills them into the parameters {@link Action#describe}
 *                 sees, so describe stays pure and still names them
 * @param problems why what the step needs cannot be resolved (no Compose project name, a compose
 *                 file or kubeconfig that does not exist): the plan lists them under "Problems
 *                 found" when the step will run, never as something it touches
 */
public record Resolved(List<String> touches, Map<String, Object> settings, List<String> problems) {

    public Resolved {
        touches = List.copyOf(touches);
        settings = Map.copyOf(settings);
        problems = List.copyOf(problems);
    }

    /** Only lines of what is touched; nothing resolved, nothing wrong. */
    public static Resolved touching(List<String> touches) {
        return new Resolved(touches, Map.of(), List.of());
    }

    /** What the step needs cannot be resolved. */
    public static Resolved problem(String problem) {
        return new Resolved(List.of(), Map.of(), List.of(problem));
    }

    /** The parameters with the resolved settings filled in where the step leaves them out. */
    public Params fill(Params params) {
        if (settings.isEmpty()) {
            return params;
        }
        Map<String, Object> all = new LinkedHashMap<>(params.asMap());
        settings.forEach((name, value) -> {
            if (!params.has(name)) {
                all.put(name, value);
            }
        });
        return Params.of(all);
    }
}
