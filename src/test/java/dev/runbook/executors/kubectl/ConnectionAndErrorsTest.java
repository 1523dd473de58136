package dev.runbook.executors.kubectl;

import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Target;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How the client is configured (kubeconfig, target, in-cluster, TLS) and how API errors read, against the Fabric8 mock server. */
class ConnectionAndErrorsTest {

    private MockCluster cluster;
    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        for (String ns : new String[] {"prod", "staging"}) {
            cluster.client.apps().deployments().inNamespace(ns).resource(new DeploymentBuilder()
                    .withNewMetadata().withName("db").withNamespace(ns).endMetadata()
                    .withNewSpec().withReplicas(2).endSpec().build()).create();
        }
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void forbiddenByRbacSaysWhoCannotDoWhatWhere() {
        cluster.server.expect().get().withPath("/apis/apps/v1/namespaces/prod/deployments/db")
                .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403)
                        .withMessage("deployments.apps \"db\" is forbidden: User \"system:serviceaccount:ops:runbook\" cannot get"
                                + " resource \"deployments\" in API group \"apps\" in the namespace \"prod\"")
                        .build())
                .always();

        StepFailure failure = assertThrows(StepFailure.class, () -> new ScaleAction(new KubeClientFactory())
                .execute(MockCluster.params("name", "db", "replicas", 0), cluster.context()));

        assertTrue(failure.getMessage().startsWith("forbidden: the service account/user system:serviceaccount:ops:runbook"
                + " cannot get deployments.apps in namespace prod (RBAC)"), failure.getMessage());
        assertTrue(failure.getMessage().contains("kubectl auth can-i get deployments.apps -n prod"), failure.getMessage());
        assertFalse(failure.retryable());
    }

    @Test
    void anUnreachableApiServerNamesTheUrlAndTheKubeconfigAndContext() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path kubeconfig = tmp.resolve("dead");
        Files.writeString(kubeconfig, Files.readString(cluster.kubeconfig)
                .replace(cluster.server.url("/").replaceAll("/$", ""), "https://127.0.0.1:" + closedPort));
        RecordingStepContext ctx = cluster.context().env("KUBECONFIG", kubeconfig.toString());

        StepFailure failure = assertThrows(StepFailure.class, () -> new ScaleAction(new KubeClientFactory())
                .execute(MockCluster.params("name", "db", "replicas", 0), ctx));

        assertTrue(failure.getMessage().startsWith("cannot reach the Kubernetes API server at https://127.0.0.1:" + closedPort
                + "/ (kubeconfig " + kubeconfig + ", context mock-admin)"), failure.getMessage());
        assertTrue(failure.retryable());
    }

    @Test
    void namespaceContextAndKubeconfigComeFromTheKubernetesTargetWhenTheStepGivesNone() throws Exception {
        RecordingStepContext ctx = new RecordingStepContext().env("HOME", tmp.toString())
                .target(new Target("kubernetes", Map.of("kubeconfig", cluster.kubeconfig.toString(),
                        "context", "mock-admin", "namespace", "staging")));
        ctx.env().remove("KUBECONFIG");

        new ScaleAction(new KubeClientFactory()).execute(MockCluster.params("name", "db", "replicas", 0), ctx);

        assertEquals(0, cluster.client.apps().deployments().inNamespace("staging").withName("db").get().getSpec().getReplicas());
        assertEquals(2, cluster.client.apps().deployments().inNamespace("prod").withName("db").get().getSpec().getReplicas());
    }

    @Test
    void theStepsNamespaceWinsOverTheTargets() throws Exception {
        RecordingStepContext ctx = cluster.context()
                .target(new Target("kubernetes", Map.of("namespace", "staging")));

        new ScaleAction(new KubeClientFactory()).execute(MockCluster.params("name", "db", "replicas", 5, "namespace", "prod"), ctx);

        assertEquals(5, cluster.client.apps().deployments().inNamespace("prod").withName("db").get().getSpec().getReplicas());
        assertEquals(2, cluster.client.apps().deployments().inNamespace("staging").withName("db").get().getSpec().getReplicas());
    }

    @Test
    void anUnknownContextListsTheOnesTheKubeconfigHas() {
        StepFailure failure = assertThrows(StepFailure.class, () -> new ScaleAction(new KubeClientFactory())
                .execute(MockCluster.params("name", "db", "replicas", 0, "context", "prod-eu"), cluster.context()));
        assertEquals("context 'prod-eu' is not in kubeconfig " + cluster.kubeconfig + " (it has: mock-admin)", failure.getMessage());
    }

    @Test
    void withoutAnyConfigurationTheMessageSaysWhereItLooked() {
        RecordingStepContext ctx = new RecordingStepContext().env("HOME", tmp.toString());
        ctx.env().remove("KUBECONFIG");
        ctx.env().remove("KUBERNETES_SERVICE_HOST");

        StepFailure failure = assertThrows(StepFailure.class, () -> new ScaleAction(new KubeClientFactory(tmp.resolve("no-sa")))
                .execute(MockCluster.params("name", "db", "replicas", 0), ctx));

        assertTrue(failure.getMessage().startsWith("no Kubernetes configuration found: $KUBECONFIG is not set, "
                + tmp.resolve(".kube/config") + " does not exist"), failure.getMessage());
    }

    @Test
    void inClusterServiceAccountIsUsedWhenThereIsNoKubeconfig() throws Exception {
        Path sa = Files.createDirectories(tmp.resolve("serviceaccount"));
        Files.writeString(sa.resolve("token"), "sa-token\n");
        Files.writeString(sa.resolve("namespace"), "staging\n");
        Files.copy(Path.of(cluster.server.getSelfSignedCertificate().certificatePath()), sa.resolve("ca.crt"));
        RecordingStepContext ctx = new RecordingStepContext().env("HOME", tmp.toString())
                .env("KUBERNETES_SERVICE_HOST", cluster.server.getHostName())
                .env("KUBERNETES_SERVICE_PORT", String.valueOf(cluster.server.getPort()));
        ctx.env().remove("KUBECONFIG");

        new ScaleAction(new KubeClientFactory(sa)).execute(MockCluster.params("name", "db", "replicas", 4), ctx);

        assertEquals("Bearer sa-token", cluster.server.getLastRequest().getHeader("Authorization"));
        assertEquals(4, cluster.client.apps().deployments().inNamespace("staging").withName("db").get().getSpec().getReplicas());
    }

    @Test
    void tlsIsVerifiedEvenWhenTheKubeconfigSaysSkipUnlessTheStepAsksByName() throws Exception {
        Path kubeconfig = tmp.resolve("insecure");
        Files.writeString(kubeconfig, Files.readString(cluster.kubeconfig).replaceAll(
                "certificate-authority: .*", "insecure-skip-tls-verify: true"));
        RecordingStepContext ctx = cluster.context().env("KUBECONFIG", kubeconfig.toString());

        StepFailure failure = assertThrows(StepFailure.class, () -> new ScaleAction(new KubeClientFactory())
                .execute(MockCluster.params("name", "db", "replicas", 0), ctx));
        assertTrue(failure.getMessage().startsWith("TLS verification of the Kubernetes API server at"), failure.getMessage());
        assertTrue(ctx.transcript().contains("runbook verifies it anyway"), ctx.transcript());

        RecordingStepContext asked = cluster.context().env("KUBECONFIG", kubeconfig.toString());
        new ScaleAction(new KubeClientFactory())
                .execute(MockCluster.params("name", "db", "replicas", 0, "insecure-skip-tls-verify", true), asked);
        assertEquals(0, cluster.client.apps().deployments().withName("db").get().getSpec().getReplicas());
        assertTrue(asked.transcript().contains("TLS verification of https://"), asked.transcript());
    }
}
