package dev.runbook.executors.kubectl;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * scale and wait for: rollout-complete against the Fabric8 mock server. The mock server runs no
 * controllers, so a test thread plays the deployment controller by patching the status.
 */
class ScaleAndWaitTest {

    private MockCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.client.apps().deployments().resource(new DeploymentBuilder()
                .withNewMetadata().withName("db").withNamespace(MockCluster.NAMESPACE).endMetadata()
                .withNewSpec().withReplicas(3)
                .withNewSelector().addToMatchLabels("app", "db").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("postgres").withImage("postgres:15").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void scalesThenWaitsUntilTheControllerReportsTheRolloutComplete() throws Exception {
        RecordingStepContext ctx = cluster.context();
        Outputs scaled = new ScaleAction(new KubeClientFactory())
                .execute(MockCluster.params("name", "db", "replicas", 1), ctx);
        assertEquals(3L, scaled.asMap().get("previous-replicas"));
        assertEquals(1, cluster.client.apps().deployments().withName("db").get().getSpec().getReplicas());

        Thread controller = new Thread(() -> {
            try {
                Thread.sleep(700);
                reportStatus(0, 0, 0); // controller has not caught up: observedGeneration behind
                Thread.sleep(700);
                reportStatus(1, 0, 1);
                Thread.sleep(700);
                reportStatus(1, 1, 1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        controller.start();
        Instant started = Instant.now();
        new WaitAction(new KubeClientFactory())
                .execute(MockCluster.params("for", "rollout-complete", "name", "db", "within", "20s"), ctx);
        controller.join();

        assertTrue(Duration.between(started, Instant.now()).toMillis() >= 1400, "waited for the controller");
        String log = ctx.transcript();
        assertTrue(log.contains("scaled deployment/db in namespace prod from 3 to 1 replica"), log);
        assertTrue(log.contains("rollout of deployment/db: waiting for the controller to see generation 2 (seen 1)"), log);
        assertTrue(log.contains("rollout of deployment/db: 0 of 1 new replicas updated"), log);
        assertTrue(log.contains("rollout of deployment/db: 1 of 1 replicas updated and available"), log);
        assertFalse(log.contains("progress: rollout"), "a count of replicas is not reported as bytes: " + log);
    }

    @Test
    void aRolloutThatNeverCompletesTimesOutWithinItsWindowAndSaysWhy() throws Exception {
        reportStatus(3, 1, 0);
        RecordingStepContext ctx = cluster.context();
        Instant started = Instant.now();

        StepFailure failure = assertThrows(StepFailure.class, () -> new WaitAction(new KubeClientFactory())
                .execute(MockCluster.params("for", "rollout-complete", "name", "db", "within", "2s"), ctx));

        long took = Duration.between(started, Instant.now()).toMillis();
        assertTrue(took >= 2000 && took < 6000, "took " + took + " ms");
        assertTrue(failure.getMessage().startsWith("timed out after 2.0s waiting for rollout of deployment/db"), failure.getMessage());
        assertTrue(failure.getMessage().contains("1 of 3 new replicas updated"), failure.getMessage());
        assertTrue(failure.getMessage().contains("kubectl describe deployment db -n prod"), failure.getMessage());
    }

    @Test
    void scalingAMissingDeploymentNamesIt() {
        StepFailure failure = assertThrows(StepFailure.class, () -> new ScaleAction(new KubeClientFactory())
                .execute(MockCluster.params("name", "nope", "replicas", 1), cluster.context()));
        assertTrue(failure.getMessage().startsWith("deployment/nope not found in namespace prod"), failure.getMessage());
        assertTrue(failure.getMessage().contains("context mock-admin"), failure.getMessage());
    }

    /** What the deployment controller would write; observedGeneration follows the object's generation. */
    private void reportStatus(int replicas, int updated, int available) {
        Deployment live = cluster.client.apps().deployments().withName("db").get();
        Long generation = live.getMetadata().getGeneration();
        long observed = generation == null ? 0 : (replicas == 0 ? generation - 1 : generation);
        live.setStatus(new DeploymentStatusBuilder()
                .withObservedGeneration(observed)
                .withReplicas(replicas)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(available)
                .withAvailableReplicas(available)
                .build());
        cluster.client.apps().deployments().resource(live).updateStatus();
    }
}
