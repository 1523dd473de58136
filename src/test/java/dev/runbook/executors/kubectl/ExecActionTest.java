package dev.runbook.executors.kubectl;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.server.mock.ErrorStreamMessage;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * exec against the Fabric8 mock server: the exec WebSocket is a mock expectation that plays
 * back stdout, stderr and the exit status, for a Running and Ready pod found through its deployment.
 */
class ExecActionTest {

    private static final String EXEC_PATH =
            "/api/v1/namespaces/prod/pods/api-7d9f/exec?command=alembic&command=upgrade&command=head&container=api&stdout=true&stderr=true";

    private MockCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.client.apps().deployments().resource(new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata().withName("api").withNamespace(MockCluster.NAMESPACE).endMetadata()
                .withNewSpec().withNewSelector().addToMatchLabels("app", "api").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "api").endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("api:1").endContainer().endSpec()
                .endTemplate().endSpec().build()).create();
        pod("api-0old", false);
        pod("api-7d9f", true);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void runsTheCommandInAReadyPodOfTheDeploymentAndStreamsItsOutput() throws Exception {
        cluster.server.expect().get().withPath(EXEC_PATH).andUpgradeToWebSocket()
                .open(new OutputStreamMessage("INFO  [alembic] Running upgrade a1 -> b2\n"),
                        new OutputStreamMessage("INFO  [alembic] done\n"),
                        new StatusStreamMessage(0))
                .done().once();
        RecordingStepContext ctx = cluster.context();

        Outputs out = new ExecAction(new KubeClientFactory()).execute(MockCluster.params(
                "deployment", "api", "container", "api", "command", List.of("alembic", "upgrade", "head"), "within", "20s"), ctx);

        assertEquals("api-7d9f", out.asMap().get("pod"));
        assertEquals(0L, out.asMap().get("exit-code"));
        assertTrue(ctx.lines.contains("out: INFO  [alembic] Running upgrade a1 -> b2"), ctx.transcript());
        assertTrue(ctx.lines.contains("out: INFO  [alembic] done"), ctx.transcript());
    }

    @Test
    void aNonZeroExitFailsTheStepWithTheExitCodeAndTheErrorLines() {
        cluster.server.expect().get().withPath(EXEC_PATH).andUpgradeToWebSocket()
                .open(new ErrorStreamMessage("sqlalchemy.exc.OperationalError: could not connect to server\n"),
                        new StatusStreamMessage(3))
                .done().once();

        StepFailure failure = assertThrows(StepFailure.class, () -> new ExecAction(new KubeClientFactory()).execute(
                MockCluster.params("pod", "api-7d9f", "container", "api", "command", List.of("alembic", "upgrade", "head"),
                        "within", "20s"), cluster.context()));

        assertTrue(failure.getMessage().startsWith(
                "[alembic, upgrade, head] in pod/api-7d9f (container api) in namespace prod exited with code 3"), failure.getMessage());
        assertTrue(failure.getMessage().contains("could not connect to server"), failure.getMessage());
    }

    @Test
    void noReadyPodIsAClearFailure() {
        StepFailure failure = assertThrows(StepFailure.class, () -> new ExecAction(new KubeClientFactory()).execute(
                MockCluster.params("selector", "app=api,tier=none", "command", List.of("true")), cluster.context()));
        assertTrue(failure.getMessage().startsWith("no pods for selector app=api,tier=none in namespace prod"), failure.getMessage());
    }

    private void pod(String name, boolean ready) {
        cluster.client.pods().resource(new PodBuilder()
                .withNewMetadata().withName(name).withNamespace(MockCluster.NAMESPACE).addToLabels("app", "api").endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("api:1").endContainer().endSpec()
                .withNewStatus().withPhase(ready ? "Running" : "Pending")
                .addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition()
                .endStatus().build()).create();
    }
}
