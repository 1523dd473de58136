package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * describe() and destructive() are pure: they run while planning on a machine that may have no
 * kubeconfig at all. The executor is built directly (no ServiceLoader) with a factory that
 * fails the test if any action tries to build a client.
 */
class DescribeIsPureTest {

    /** Refuses to connect: any call means describe() touched the world. */
    private static final class NoClients extends KubeClientFactory {
        int attempts;

        @Override
        KubeSession open(Params params, StepContext ctx) {
            attempts++;
            throw new AssertionError("describe() must not build a Kubernetes client");
        }
    }

    private final NoClients factory = new NoClients();
    private final Map<String, Action> actions = new KubectlExecutor(factory).actions().stream()
            .collect(Collectors.toMap(Action::name, a -> a));

    @Test
    void theExecutorOffersEveryAction() {
        assertEquals(Set.of("apply", "delete", "scale", "rollout-restart", "wait", "exec", "run-job", "logs",
                "port-forward", "secret-from-files"), actions.keySet());
        assertEquals("kubectl", new KubectlExecutor().name());
    }

    @Test
    void describeLinesReadLikeKubectl() {
        assertEquals("scale deployment/db in namespace prod to 1 replica",
                describe("scale", "name", "db", "replicas", 1L, "namespace", "prod"));
        assertEquals("scale statefulset/pg in the target's namespace (context prod-eu) to 3 replicas",
                describe("scale", "name", "pg", "replicas", 3L, "kind", "statefulset", "context", "prod-eu"));
        assertEquals("create job restore-db from cronjob/backup in namespace prod and wait up to 10m",
                describe("run-job", "name", "restore-db", "from-cronjob", "backup", "namespace", "prod", "within", "10m"));
        assertEquals("delete deployment/api in namespace prod", describe("delete", "kind", "Deployment", "name", "api", "namespace", "prod"));
        assertEquals("delete every pod matching app=db in the target's namespace", describe("delete", "kind", "pod", "selector", "app=db"));
        assertEquals("apply k8s/db.yaml, k8s/api.yaml in namespace prod (server-side apply as 'runbook')",
                describe("apply", "files", List.of("k8s/db.yaml", "k8s/api.yaml"), "namespace", "prod"));
        assertEquals("apply inline ConfigMap/settings in the target's namespace (server-side apply as 'runbook')",
                describe("apply", "manifest", Map.of("kind", "ConfigMap", "metadata", Map.of("name", "settings"))));
        assertEquals("run [alembic, upgrade, head] in a ready pod of deployment/api (container api) in namespace prod",
                describe("exec", "deployment", "api", "container", "api", "command", List.of("alembic", "upgrade", "head"), "namespace", "prod"));
        assertEquals("wait up to 5m for the rollout of deployment/db in namespace prod",
                describe("wait", "for", "rollout-complete", "name", "db", "namespace", "prod"));
        assertEquals("wait up to 2m for job/restore to complete in the target's namespace",
                describe("wait", "for", "job-complete", "name", "restore", "within", "2m"));
        assertEquals("restart every pod of deployment/api in namespace prod (rolling)",
                describe("rollout-restart", "name", "api", "namespace", "prod"));
        assertEquals("show the last 50 log lines of pods with app=api in the target's namespace",
                describe("logs", "selector", "app=api", "tail", 50L));
        assertEquals("forward a free port on 127.0.0.1 to service/db:5432 in namespace prod until the run ends",
                describe("port-forward", "service", "db", "port", 5432L, "namespace", "prod"));
        assertEquals("create or update secret db-creds in namespace prod from files (keys: password, username); values not shown",
                describe("secret-from-files", "name", "db-creds", "files", Map.of("password", "pw.txt", "username", "user.txt"), "namespace", "prod"));
        assertEquals(0, factory.attempts);
    }

    @Test
    void runTimeValuesShowAsTheirExpressionAndSecretsAreMasked() {
        String line = describe("scale", "name", new Deferred("steps.find.outputs.deployment"), "replicas", 0L,
                "namespace", new dev.runbook.spi.Secret("hidden-ns"));
        assertEquals("scale deployment/⟨from steps.find.outputs.deployment⟩ in namespace *** to 0 replicas", line);
        assertFalse(line.contains("hidden-ns"));
    }

    @Test
    void onlyDeleteAndStepsMarkedDestructiveAreDestructive() {
        assertTrue(actions.get("delete").destructive(Params.of(Map.of("kind", "pvc", "name", "data"))));
        assertTrue(actions.get("run-job").destructive(Params.of(Map.of("from-cronjob", "restore", "destructive", true))));
        assertTrue(actions.get("exec").destructive(Params.of(Map.of("pod", "db-0", "command", List.of("dropdb", "app"), "destructive", true))));
        assertFalse(actions.get("exec").destructive(Params.of(Map.of("pod", "db-0", "command", List.of("true")))));
        assertFalse(actions.get("scale").destructive(Params.of(Map.of("name", "db", "replicas", 0L))));
        assertFalse(actions.get("apply").destructive(Params.of(Map.of("file", "x.yaml"))));
        assertEquals(0, factory.attempts);
    }

    private String describe(String action, Object... kv) {
        return actions.get(action).describe(MockCluster.params(kv));
    }
}
