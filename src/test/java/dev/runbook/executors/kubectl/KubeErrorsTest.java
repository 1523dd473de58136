package dev.runbook.executors.kubectl;

import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How an API server's answers read and whether they are retried. The answers are built here as
 * the server sends them (the 500 text is what a 1.20 API server answers a server-side apply with
 * an unknown field), since a real server cannot be made to answer an overloaded 500 on purpose.
 */
class KubeErrorsTest {

    private static final KubeClientFactory.Origin ORIGIN = new KubeClientFactory.Origin(null, null, "https://127.0.0.1:6443");
    private static final Op APPLY = new Op("patch", "deployments.apps", "deployments.apps/api");

    private static StepFailure answer(int code, String message) {
        Status status = new StatusBuilder().withCode(code).withMessage(message).build();
        return KubeErrors.translate(APPLY, new KubernetesClientException(status), "shop", ORIGIN, null);
    }

    @Test
    void aManifestThatDoesNotMatchTheSchemaIsNotRetriedOnOldServers() {
        StepFailure f = answer(500, "failed to create typed patch object: .spec.template.spec.containers[name=\"api\"]"
                + ".imagePolicy: field not declared in schema");
        assertFalse(f.retryable(), "a wrong manifest stays wrong: retrying only delays the message");
        assertTrue(f.getMessage().contains("rejected 'patch' of deployments.apps/api in namespace shop"), f.getMessage());
        assertTrue(f.getMessage().contains("imagePolicy: field not declared in schema"), f.getMessage());
        assertTrue(f.getMessage().contains("Fix the manifest"), f.getMessage());
    }

    @Test
    void anOverloadedServerIsRetried() {
        StepFailure f = answer(500, "etcdserver: request timed out");
        assertTrue(f.retryable());
        assertTrue(f.getMessage().contains("It may be overloaded"), f.getMessage());
    }

    @Test
    void anInvalidObjectOnNewerServersIsNotRetried() {
        assertFalse(answer(422, "Deployment.apps \"api\" is invalid: spec.replicas: Invalid value: -1").retryable());
    }
}
