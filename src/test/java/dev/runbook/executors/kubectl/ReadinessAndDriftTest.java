package dev.runbook.executors.kubectl;

import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The status readers and the drift check are pure functions: tested without any server. */
class ReadinessAndDriftTest {

    @Test
    void aDeploymentPastItsProgressDeadlineHasFailed() {
        var d = new DeploymentBuilder().withNewMetadata().withName("api").withGeneration(2L).endMetadata()
                .withNewSpec().withReplicas(2).endSpec()
                .withNewStatus().withObservedGeneration(2L).withUpdatedReplicas(1)
                .addNewCondition().withType("Progressing").withStatus("False").withReason("ProgressDeadlineExceeded")
                .withMessage("ReplicaSet \"api-5f\" has timed out progressing.").endCondition().endStatus().build();
        Progress p = Readiness.deployment(d);
        assertEquals(Progress.State.FAILED, p.state());
        assertTrue(p.summary().contains("has timed out progressing"), p.summary());
    }

    @Test
    void oldReplicasStillRunningKeepTheRolloutPending() {
        var d = new DeploymentBuilder().withNewMetadata().withName("api").withGeneration(1L).endMetadata()
                .withNewSpec().withReplicas(2).endSpec()
                .withNewStatus().withObservedGeneration(1L).withReplicas(3).withUpdatedReplicas(2).withAvailableReplicas(2)
                .endStatus().build();
        assertEquals("1 old replicas pending termination", Readiness.deployment(d).summary());
    }

    @Test
    void aJobWithAFailedConditionHasFailedAndOneWithEnoughSuccessesIsDone() {
        var failed = new JobBuilder().withNewMetadata().withName("j").endMetadata().withNewSpec().endSpec()
                .withNewStatus().addNewCondition().withType("Failed").withStatus("True").withReason("DeadlineExceeded")
                .endCondition().endStatus().build();
        assertEquals(Progress.State.FAILED, Readiness.job(failed).state());
        var retrying = new JobBuilder().withNewMetadata().withName("j").endMetadata().withNewSpec().endSpec()
                .withNewStatus().withFailed(2).withActive(1).endStatus().build();
        assertEquals(Progress.State.PENDING, Readiness.job(retrying).state(), "2 failures are within the default backoffLimit of 6");
        var done = new JobBuilder().withNewMetadata().withName("j").endMetadata().withNewSpec().withCompletions(2).endSpec()
                .withNewStatus().withSucceeded(2).endStatus().build();
        assertEquals(Progress.State.DONE, Readiness.job(done).state());
    }

    @Test
    void driftIgnoresServerDefaultsButSeesChangedValues() {
        Map<String, Object> manifest = Map.of("kind", "Deployment", "metadata", Map.of("name", "db", "labels", Map.of("app", "db")),
                "spec", Map.of("replicas", 1, "template", Map.of("spec", Map.of("containers", List.of(Map.of("name", "pg"))))));
        Map<String, Object> live = Map.of("metadata", Map.of("name", "db", "uid", "x", "labels", Map.of("app", "db")),
                "spec", Map.of("replicas", 1L, "strategy", Map.of("type", "RollingUpdate"),
                        "template", Map.of("spec", Map.of("containers", List.of(Map.of("name", "pg", "imagePullPolicy", "Always"))))),
                "status", Map.of("replicas", 1));
        Map<String, Object> desired = Drift.desiredContent(manifest);
        assertTrue(Drift.covers(live, desired));
        Map<String, Object> scaled = Drift.desiredContent(Map.of("spec", Map.of("replicas", 2)));
        assertFalse(Drift.covers(live, scaled));
    }

    @Test
    void aSecretsStringDataIsComparedAsItsBase64Data() {
        Map<String, Object> desired = Drift.desiredContent(Map.of("kind", "Secret", "stringData", Map.of("pw", "hunter2")));
        assertTrue(Drift.covers(Map.of("data", Map.of("pw", "aHVudGVyMg==")), desired));
        assertFalse(Drift.covers(Map.of("data", Map.of("pw", "b3RoZXI=")), desired));
    }
}
