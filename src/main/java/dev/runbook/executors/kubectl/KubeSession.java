package dev.runbook.executors.kubectl;

import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.util.function.Supplier;

/**
 * An open client with the namespace the step acts in and where its configuration came from.
 * Every API call goes through {@link #call}, which turns Fabric8 exceptions into
 * {@link StepFailure}s an on-call engineer can act on.
 */
final class KubeSession implements AutoCloseable {

    private final KubernetesClient client;
    private final String namespace;
    private final KubeClientFactory.Origin origin;
    private final String configuredUser;

    KubeSession(KubernetesClient client, String namespace, KubeClientFactory.Origin origin, String configuredUser) {
        this.client = client;
        this.namespace = namespace;
        this.origin = origin;
        this.configuredUser = configuredUser;
    }

    KubernetesClient client() {
        return client;
    }

    String namespace() {
        return namespace;
    }

    KubeClientFactory.Origin origin() {
        return origin;
    }

    /** Runs one API call; a Fabric8 exception becomes a StepFailure naming the object and what to do. */
    <T> T call(Op op, Supplier<T> body) throws StepFailure {
        try {
            return body.get();
        } catch (KubernetesClientException e) {
            throw failure(op, e);
        }
    }

    /** A call without a result. */
    void run(Op op, Runnable body) throws StepFailure {
        call(op, () -> {
            body.run();
            return null;
        });
    }

    StepFailure failure(Op op, KubernetesClientException e) {
        return KubeErrors.translate(op, e, namespace, origin, configuredUser);
    }

    @Override
    public void close() {
        client.close();
    }
}
