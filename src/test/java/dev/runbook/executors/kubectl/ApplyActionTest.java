package dev.runbook.executors.kubectl;

import dev.runbook.spi.Outputs;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** apply against the Fabric8 mock server, which has no server-side apply: exercises the create/patch fallback. */
class ApplyActionTest {

    private static final String MANIFEST = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: db
              labels: {app: db}
            spec:
              replicas: %d
              selector:
                matchLabels: {app: db}
              template:
                metadata:
                  labels: {app: db}
                spec:
                  containers:
                  - name: postgres
                    image: postgres:15
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: db-settings
            data:
              max_connections: "100"
            """;

    private MockCluster cluster;
    @TempDir
    Path runbookDir;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void createsThenReportsUnchangedThenChangedOnTheMockServer() throws Exception {
        Files.writeString(runbookDir.resolve("db.yaml"), MANIFEST.formatted(1));
        ApplyAction apply = new ApplyAction(new KubeClientFactory());

        Outputs first = apply.execute(MockCluster.params("file", "db.yaml"), ctx());
        assertEquals(List.of("Deployment/db: created", "ConfigMap/db-settings: created"), first.asMap().get("objects"));
        Deployment created = cluster.client.apps().deployments().withName("db").get();
        assertEquals(1, created.getSpec().getReplicas());
        assertEquals("prod", created.getMetadata().getNamespace());

        Outputs second = apply.execute(MockCluster.params("file", "db.yaml"), ctx());
        assertEquals(List.of("Deployment/db: unchanged", "ConfigMap/db-settings: unchanged"), second.asMap().get("objects"));

        Files.writeString(runbookDir.resolve("db.yaml"), MANIFEST.formatted(2));
        RecordingStepContext third = ctx();
        Outputs changed = apply.execute(MockCluster.params("file", "db.yaml"), third);
        assertEquals(List.of("Deployment/db: changed", "ConfigMap/db-settings: unchanged"), changed.asMap().get("objects"));
        assertEquals(2, cluster.client.apps().deployments().withName("db").get().getSpec().getReplicas());
        assertTrue(third.transcript().contains("does not support server-side apply"), third.transcript());
    }

    @Test
    void appliesAnInlineMappingManifest() throws Exception {
        Map<String, Object> manifest = Map.of(
                "apiVersion", "v1", "kind", "ConfigMap",
                "metadata", Map.of("name", "inline"),
                "data", Map.of("k", "v"));
        ApplyAction apply = new ApplyAction(new KubeClientFactory());

        Outputs out = apply.execute(MockCluster.params("manifest", manifest), ctx());

        assertEquals(List.of("ConfigMap/inline: created"), out.asMap().get("objects"));
        ConfigMap live = cluster.client.configMaps().withName("inline").get();
        assertEquals("v", live.getData().get("k"));
    }

    private RecordingStepContext ctx() {
        return cluster.context().runbookDir(runbookDir);
    }
}
