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
     * What one step of this executor will touch, named concretely for the plan: the Compose
     * project and files, the Kubernetes context, server and namespace, the database host, port
     * and name, the bucket and key prefix. Must not connect or change anything; may read local
     * configuration (a kubeconfig) through the context. Values known only at run time are
     * shown with {@link Params#display}.
     */
    default List<String> touches(Action action, Params params, StepContext context) {
        return List.of();
    }
}
