package dev.runbook.export;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Asks the cluster of the current kubeconfig context ($KUBECONFIG, else ~/.kube/config) which
 * CronJob API it serves. Read-only discovery requests with short timeouts; any failure (no
 * kubeconfig, unreachable, forbidden) means "no cluster to ask".
 */
public final class ClusterDiscovery {

    private static final int TIMEOUT_MS = 4000;

    private ClusterDiscovery() {
    }

    // Config.fromKubeconfig(context, contents, path) is marked for removal without a replacement that
    // takes the file's text and its path (see KubeClientFactory)
    @SuppressWarnings("removal")
    public static Optional<CronJobApi.Server> probe(Map<String, String> env) {
        Path kubeconfig = kubeconfig(env);
        if (kubeconfig == null) {
            return Optional.empty();
        }
        try {
            Config config = Config.fromKubeconfig(null, Files.readString(kubeconfig, StandardCharsets.UTF_8), kubeconfig.toString());
            config.setConnectionTimeout(TIMEOUT_MS);
            config.setRequestTimeout(TIMEOUT_MS);
            config.setRequestRetryBackoffLimit(0);
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
                String version = client.getKubernetesVersion().getGitVersion();
                return Optional.of(new CronJobApi.Server(version, client.supports(CronJobApi.V1, "CronJob")));
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Path kubeconfig(Map<String, String> env) {
        String fromEnv = env.get("KUBECONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            Path p = Path.of(fromEnv.split(java.io.File.pathSeparator)[0]);
            return Files.isRegularFile(p) ? p : null;
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        Path p = Path.of(home, ".kube", "config");
        return Files.isRegularFile(p) ? p : null;
    }
}
