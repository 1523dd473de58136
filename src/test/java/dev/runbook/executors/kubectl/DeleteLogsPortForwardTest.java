package dev.runbook.executors.kubectl;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.Socket;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** delete, logs and port-forward against the Fabric8 mock server. */
class DeleteLogsPortForwardTest {

    private MockCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        for (String name : List.of("cache-a", "cache-b", "keep")) {
            cluster.client.configMaps().resource(new ConfigMapBuilder().withNewMetadata().withName(name)
                    .withNamespace(MockCluster.NAMESPACE).addToLabels("app", name.startsWith("cache") ? "cache" : "other")
                    .endMetadata().build()).create();
        }
        cluster.client.pods().resource(new PodBuilder()
                .withNewMetadata().withName("db-0").withNamespace(MockCluster.NAMESPACE).addToLabels("app", "db").endMetadata()
                .withNewSpec().addNewContainer().withName("postgres").withImage("postgres:15")
                .addNewPort().withName("pg").withContainerPort(5432).endPort().endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
    }

    @AfterEach
    void stop() throws Exception {
        PortForwards.closeRun("test-run");
        cluster.close();
    }

    @Test
    void deletesByNameAndBySelectorAndNamesWhatIsMissing() throws Exception {
        DeleteAction delete = new DeleteAction(new KubeClientFactory());

        Outputs bySelector = delete.execute(MockCluster.params("kind", "cm", "selector", "app=cache"), cluster.context());
        assertEquals(List.of("configmap/cache-a", "configmap/cache-b"), bySelector.asMap().get("deleted"));
        assertNull(cluster.client.configMaps().withName("cache-a").get());

        delete.execute(MockCluster.params("kind", "ConfigMap", "name", "keep"), cluster.context());
        assertNull(cluster.client.configMaps().withName("keep").get());

        StepFailure missing = assertThrows(StepFailure.class,
                () -> delete.execute(MockCluster.params("kind", "configmap", "name", "keep"), cluster.context()));
        assertTrue(missing.getMessage().startsWith("configmap/keep not found in namespace prod"), missing.getMessage());
        Outputs ignored = delete.execute(MockCluster.params("kind", "configmap", "name", "keep", "ignore-not-found", true), cluster.context());
        assertEquals(List.of(), ignored.asMap().get("deleted"));
    }

    @Test
    void copiesTheTailOfAPodsLogIntoTheStepLog() throws Exception {
        cluster.server.expect().get().withPath("/api/v1/namespaces/prod/pods/db-0/log?pretty=false&tailLines=2")
                .andReturn(200, "ready to accept connections\ncheckpoint complete\n").once();
        RecordingStepContext ctx = cluster.context();

        Outputs out = new LogsAction(new KubeClientFactory()).execute(MockCluster.params("selector", "app=db", "tail", 2), ctx);

        assertEquals(List.of("db-0"), out.asMap().get("pods"));
        assertEquals(List.of("out: ready to accept connections", "out: checkpoint complete"), ctx.lines);
    }

    @Test
    void forwardsALocalPortToTheServicesTargetPortUntilTheRunEnds() throws Exception {
        cluster.client.services().resource(new ServiceBuilder()
                .withNewMetadata().withName("db").withNamespace(MockCluster.NAMESPACE).endMetadata()
                .withNewSpec().addToSelector("app", "db")
                .addNewPort().withPort(15432).withTargetPort(new IntOrString("pg")).endPort().endSpec().build()).create();
        RecordingStepContext ctx = cluster.context();

        Outputs out = new PortForwardAction(new KubeClientFactory())
                .execute(MockCluster.params("service", "db", "port", 15432), ctx);

        long port = (Long) out.asMap().get("local-port");
        assertEquals("db-0", out.asMap().get("pod"));
        assertTrue(ctx.transcript().contains("to service/db:15432 (pod db-0 port 5432) until the run ends"), ctx.transcript());
        assertEquals(2, PortForwards.openCount("test-run"), "the forward and its client stay open after the step");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), (int) port)) {
            assertTrue(s.isConnected(), "the local port accepts connections after execute() returned");
        }

        PortForwards.closeRun("test-run");
        assertEquals(0, PortForwards.openCount("test-run"));
        assertThrows(java.io.IOException.class, () -> new Socket(InetAddress.getLoopbackAddress(), (int) port).close());
    }
}
