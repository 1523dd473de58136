package dev.runbook.testsupport;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The real single-node Kubernetes 1.20 cluster of {@code scripts/k8s/cluster.sh} (etcd, API
 * server, controller manager, scheduler and a kubelet driving the local Docker engine), for
 * integration tests annotated {@link RealCluster}.
 *
 * <p>The cluster is started once for the whole test run, before the first such test class
 * (about 18 s), and stopped — its pods' containers removed — when the run ends. A cluster that
 * was already running (started by hand with {@code scripts/k8s/cluster.sh start}) is used and
 * left running. The binaries are built by {@code scripts/setup-services.sh} (cached).
 */
public final class RealKubernetes implements BeforeAllCallback {

    private static final Path SCRIPT = Path.of("scripts/k8s/cluster.sh").toAbsolutePath();
    private static volatile Map<String, String> env;

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(RealKubernetes.class, k -> start(), Running.class);
    }

    /** KUBECONFIG of the cluster's admin (system:masters). */
    public static Path kubeconfig() {
        return Path.of(settings().get("KUBECONFIG"));
    }

    /** Debian's kubectl 1.20.2, matching the server (gcloud's newer /usr/bin/kubectl also works). */
    public static Path kubectl() {
        return Path.of(settings().get("KUBECTL"));
    }

    /** Runs kubectl against the cluster as its admin; fails the test on a non-zero exit. */
    public static String kubectl(String... args) {
        return kubectlResult(args).orThrow().stdout();
    }

    public static Exec.Result kubectlResult(String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of(kubectl().toString(), "--kubeconfig", kubeconfig().toString()));
        cmd.addAll(List.of(args));
        return Exec.run(cmd, Map.of(), null, Duration.ofMinutes(3));
    }

    /** Deletes a namespace and waits until it is gone (its pods stopped), so the next test starts clean. */
    public static void deleteNamespace(String namespace) {
        kubectlResult("delete", "namespace", namespace, "--ignore-not-found", "--wait=true", "--timeout=120s");
    }

    private static Map<String, String> settings() {
        Map<String, String> e = env;
        if (e == null) {
            Exec.Result r = Exec.run(List.of(SCRIPT.toString(), "env"), Map.of(), null, Duration.ofSeconds(30)).orThrow();
            Map<String, String> parsed = new java.util.HashMap<>();
            r.stdout().lines().filter(l -> l.contains("=")).forEach(l -> parsed.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
            env = e = Map.copyOf(parsed);
        }
        return e;
    }

    private static Running start() {
        boolean already = Exec.run(List.of(SCRIPT.toString(), "status"), Map.of(), null, Duration.ofSeconds(10)).ok();
        if (!already) {
            Exec.Result r = Exec.run(List.of(SCRIPT.toString(), "start"), Map.of(), null, Duration.ofMinutes(4));
            if (!r.ok()) {
                throw new IllegalStateException("the test Kubernetes cluster did not start (run scripts/setup-services.sh "
                        + "to build it):\n" + r.stderr());
            }
        }
        if (!Files.isRegularFile(kubeconfig())) {
            throw new IllegalStateException("no admin kubeconfig at " + kubeconfig());
        }
        return new Running(!already);
    }

    /** Stops the cluster at the end of the test run, if this run started it. */
    @SuppressWarnings("deprecation") // CloseableResource: what this JUnit version closes at the end of the run
    record Running(boolean startedHere) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            if (startedHere) {
                Exec.run(List.of(SCRIPT.toString(), "stop"), Map.of(), null, Duration.ofMinutes(2));
            }
        }
    }
}
