package dev.runbook.spi;

import java.util.List;
import java.util.Optional;

/**
 * A pluggable step executor (the part before the dot in {@code uses: s3.latest}).
 *
 * <p>Implementations are discovered with {@link java.util.ServiceLoader} from
 * {@code META-INF/services/dev.runbook.spi.Executor}; the engine never names one.
 * An executor is a small, stateless catalogue of {@link Action}s.
 */
public interface Executor {

    /** The name used in {@code uses:}, lower-case with dashes, e.g. {@code http-check}. */
    String name();

    /** One line for {@code runbook executors}. */
    String summary();

    /** The actions this executor offers; names are unique within the executor. */
    List<Action> actions();

    /**
     * The action run by a bare {@code uses: <name>} (no dot), if the executor has one.
     * {@code http-check} uses it so that the common case reads naturally.
     */
    default Optional<String> defaultAction() {
        return Optional.empty();
    }

    /**
     * What one step of this executor will touch, named concretely for the plan: the database
     * host, port and name, the bucket and key prefix. Must not connect or change anything.
     * Values known only at run time are shown with {@link Params#display}. Executors whose
     * target must be resolved (Compose, Kubernetes) implement {@link #resolve} instead.
     */
    default List<String> touches(Action action, Params params, StepContext context) {
        return List.of();
    }

    /**
     * Where one step of this executor acts, for the plan: what it touches ({@link #touches} by
     * default), the values of the settings it leaves out as resolved from the target and local
     * configuration (the Compose project; the Kubernetes context and namespace, from the target,
     * else the kubeconfig), which the plan passes to {@link Action#describe} as parameters, and
     * what cannot be resolved. Must not connect or change anything; may read local
     * configuration (a kubeconfig, compose files' existence) through the context.
     */
    default Resolved resolve(Action action, Params params, StepContext context) {
        return Resolved.touching(touches(action, params, context));
    }
}
