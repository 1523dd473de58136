package dev.runbook.executors.kubectl;

import dev.runbook.spi.Params;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Queue;

/**
 * The Fabric8 Kubernetes mock server (CRUD plus expectations), and a kubeconfig file written
 * for it, so the actions find it the real way: through {@code KUBECONFIG}. The mock server
 * speaks HTTPS with a self-signed certificate; the kubeconfig names that certificate as the
 * cluster's CA, so TLS verification stays on.
 */
final class MockCluster implements AutoCloseable {

    static final String NAMESPACE = "prod";

    final KubernetesMockServer server;
    /** A client for the test itself (to seed objects and play the controllers). */
    final NamespacedKubernetesClient client;
    final Path kubeconfig;
    private final Path dir;

    MockCluster() throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), true);
        server.init();
        client = server.createClient().inNamespace(NAMESPACE);
        dir = Files.createTempDirectory("mock-kubeconfig");
        kubeconfig = dir.resolve("config");
        String ca = server.getSelfSignedCertificate().certificatePath();
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster:
                    server: %s
                    certificate-authority: %s
                contexts:
                - name: mock-admin
                  context:
                    cluster: mock
                    user: admin
                    namespace: %s
                current-context: mock-admin
                users:
                - name: admin
                  user:
                    token: mock-token
                """.formatted(server.url("/").replaceAll("/$", ""), ca, NAMESPACE));
    }

    /** A step context whose environment points KUBECONFIG at the mock server. */
    RecordingStepContext context() {
        return new RecordingStepContext().env("KUBECONFIG", kubeconfig.toString());
    }

    static Params params(Object... kv) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return Params.of(m);
    }

    @Override
    public void close() throws IOException {
        client.close();
        server.destroy();
        Files.deleteIfExists(kubeconfig);
        Files.deleteIfExists(dir);
    }
}
