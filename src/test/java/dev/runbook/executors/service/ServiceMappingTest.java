package dev.runbook.executors.service;

import dev.runbook.spi.Action;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Target;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Pure: which compose/kubectl actions each service action maps to, with which parameters, and the plan lines. */
class ServiceMappingTest {

    static final Target COMPOSE = new Target("compose", Map.of("project", "shop", "files", List.of("docker-compose.yml")));
    static final Target KUBE = new Target("kubernetes", Map.of("namespace", "shop", "context", "prod"));

    private static List<String> names(List<Invocation> invocations) {
        return invocations.stream().map(Invocation::qualifiedName).toList();
    }

    private static List<Invocation> map(ServiceAction action, Platform platform, Target target, Map<String, ?> params)
            throws StepFailure {
        return action.map(platform, ServiceAction.scoped(Params.of(params), platform, target));
    }

    @Test
    void executorOffersTheSixTargetNeutralActions() {
        ServiceExecutor executor = new ServiceExecutor();
        assertEquals("service", executor.name());
        assertEquals(List.of("up", "down", "wait-ready", "exec", "logs", "address"),
                executor.actions().stream().map(Action::name).toList());
    }

    @Test
    void upIsComposeUpWithWaitOnComposeAndScalePlusRolloutOnKubernetes() throws StepFailure {
        Map<String, Object> p = Map.of("services", List.of("db", "api"), "wait", true, "within", "3m", "replicas", 2L);
        List<Invocation> compose = map(new UpAction(), Platform.COMPOSE, COMPOSE, p);
        assertEquals(List.of("compose.up"), names(compose));
        assertEquals(Map.of("services", List.of("db", "api"), "wait", true, "within", "3m", "project", "shop"),
                compose.get(0).params());

        List<Invocation> kube = map(new UpAction(), Platform.KUBERNETES, KUBE, p);
        assertEquals(List.of("kubectl.scale", "kubectl.scale", "kubectl.wait", "kubectl.wait"), names(kube));
        assertEquals(Map.of("name", "db", "replicas", 2L, "kind", "deployment", "namespace", "shop"), kube.get(0).params());
        assertEquals(Map.of("for", "rollout-complete", "name", "api", "kind", "deployment", "within", "3m",
                "namespace", "shop"), kube.get(3).params());
    }

    @Test
    void upWithoutWaitOnKubernetesOnlyScales() throws StepFailure {
        List<Invocation> kube = map(new UpAction(), Platform.KUBERNETES, KUBE, Map.of("services", List.of("web"), "wait", false));
        assertEquals(List.of("kubectl.scale"), names(kube));
        assertEquals(1L, kube.get(0).params().get("replicas"));
    }

    @Test
    void kubernetesNeedsTheServicesNamed() {
        StepFailure f = assertThrows(StepFailure.class, () -> map(new UpAction(), Platform.KUBERNETES, KUBE, Map.of()));
        assertTrue(f.getMessage().contains("needs `services`"), f.getMessage());
        assertTrue(new UpAction().describe(Params.of(Map.of()), KUBE).startsWith("kubernetes: fails: "));
    }

    @Test
    void downIsComposeDownKeepingVolumesOrScaleToZero() throws StepFailure {
        List<Invocation> compose = map(new DownAction(), Platform.COMPOSE, COMPOSE, Map.of());
        assertEquals(List.of("compose.down"), names(compose));
        assertEquals(false, compose.get(0).params().get("volumes"));
        assertFalse(compose.get(0).target().action().destructive(compose.get(0).asParams()));

        List<Invocation> kube = map(new DownAction(), Platform.KUBERNETES, KUBE, Map.of("services", List.of("api", "web")));
        assertEquals(List.of("kubectl.scale", "kubectl.scale"), names(kube));
        assertEquals(0L, kube.get(1).params().get("replicas"));
        assertEquals("web", kube.get(1).params().get("name"));

        StepFailure f = assertThrows(StepFailure.class, () -> map(new DownAction(), Platform.COMPOSE, COMPOSE,
                Map.of("services", List.of("api"))));
        assertTrue(f.getMessage().contains("whole project"), f.getMessage());
    }

    @Test
    void waitReadyIsWaitHealthyOrRolloutComplete() throws StepFailure {
        List<Invocation> compose = map(new WaitReadyAction(), Platform.COMPOSE, COMPOSE, Map.of("services", List.of("db")));
        assertEquals(List.of("compose.wait-healthy"), names(compose));
        assertEquals("5m", compose.get(0).params().get("within"));
        List<Invocation> kube = map(new WaitReadyAction(), Platform.KUBERNETES, KUBE, Map.of("services", List.of("db"), "within", "90s"));
        assertEquals(List.of("kubectl.wait"), names(kube));
        assertEquals("rollout-complete", kube.get(0).params().get("for"));
        assertEquals("90s", kube.get(0).params().get("within"));
    }

    @Test
    void execMapsToComposeExecOrKubectlExecInTheDeployment() throws StepFailure {
        Map<String, Object> p = Map.of("service", "api", "command", List.of("alembic", "upgrade", "head"));
        List<Invocation> compose = map(new ExecAction(), Platform.COMPOSE, COMPOSE, p);
        assertEquals(List.of("compose.exec"), names(compose));
        assertEquals("api", compose.get(0).params().get("service"));
        assertEquals(List.of("alembic", "upgrade", "head"), compose.get(0).params().get("command"));

        List<Invocation> kube = map(new ExecAction(), Platform.KUBERNETES, KUBE, p);
        assertEquals(List.of("kubectl.exec"), names(kube));
        assertEquals("api", kube.get(0).params().get("deployment"));
        assertEquals("shop", kube.get(0).params().get("namespace"));
    }

    @Test
    void execWithStartBringsTheServiceUpFirst() throws StepFailure {
        Map<String, Object> p = Map.of("service", "api", "command", List.of("alembic", "upgrade", "head"), "start", true);
        List<Invocation> compose = map(new ExecAction(), Platform.COMPOSE, COMPOSE, p);
        assertEquals(List.of("compose.up", "compose.exec"), names(compose));
        assertEquals(Map.of("services", List.of("api"), "wait", false, "project", "shop"), compose.get(0).params());
        List<Invocation> kube = map(new ExecAction(), Platform.KUBERNETES, KUBE, p);
        assertEquals(List.of("kubectl.scale", "kubectl.wait", "kubectl.exec"), names(kube));
        assertEquals("shop", kube.get(0).params().get("namespace"));
    }

    @Test
    void execPassesSecretEnvOnlyToComposeAndRefusesItOnKubernetes() throws StepFailure {
        Secret secret = new Secret("s3cr3t-value");
        Map<String, Object> p = Map.of("service", "api", "command", List.of("env"), "env", Map.of("TOKEN", secret));
        List<Invocation> compose = map(new ExecAction(), Platform.COMPOSE, COMPOSE, p);
        assertEquals(Map.of("TOKEN", secret), compose.get(0).params().get("env"));
        String line = new ExecAction().describe(Params.of(p), COMPOSE);
        assertFalse(line.contains("s3cr3t-value"), line);
        assertTrue(line.contains("with env TOKEN"), line);
        StepFailure f = assertThrows(StepFailure.class, () -> map(new ExecAction(), Platform.KUBERNETES, KUBE, p));
        assertTrue(f.getMessage().contains("cannot pass `env`"), f.getMessage());
        assertFalse(f.getMessage().contains("s3cr3t-value"));
    }

    @Test
    void logsAndAddressMapToTheirCounterparts() throws StepFailure {
        assertEquals(List.of("compose.logs"), names(map(new LogsAction(), Platform.COMPOSE, COMPOSE, Map.of("service", "api"))));
        List<Invocation> kubeLogs = map(new LogsAction(), Platform.KUBERNETES, KUBE, Map.of("service", "api", "tail", 20L));
        assertEquals(List.of("kubectl.logs"), names(kubeLogs));
        assertEquals(Map.of("deployment", "api", "tail", 20L, "namespace", "shop"), kubeLogs.get(0).params());

        Map<String, Object> p = Map.of("service", "db", "port", 5432L);
        List<Invocation> compose = map(new AddressAction(), Platform.COMPOSE, COMPOSE, p);
        assertEquals(List.of("compose.port"), names(compose));
        assertEquals(Map.of("service", "db", "port", 5432L, "project", "shop"), compose.get(0).params());
        List<Invocation> kube = map(new AddressAction(), Platform.KUBERNETES, KUBE, p);
        assertEquals(List.of("kubectl.port-forward"), names(kube));
        assertEquals(Map.of("service", "db", "port", 5432L, "namespace", "shop"), kube.get(0).params());
    }

    @Test
    void addressOutputsAreHostAndPortOnBothTargets() {
        AddressAction a = new AddressAction();
        var compose = a.outputs(Platform.COMPOSE, List.of(dev.runbook.spi.Outputs.none().put("host", "127.0.0.1").put("port", 49153L)));
        assertEquals(Map.of("host", "127.0.0.1", "port", 49153L), compose.asMap());
        var kube = a.outputs(Platform.KUBERNETES, List.of(dev.runbook.spi.Outputs.none().put("local-port", 40001L).put("pod", "db-0")));
        assertEquals(Map.of("host", "127.0.0.1", "port", 40001L), kube.asMap());
    }

    @Test
    void thePlanSaysWhatHappensOnTheChosenTarget() {
        Params up = Params.of(Map.of("services", List.of("db"), "wait", true, "within", "2m", "replicas", 1L));
        assertEquals("compose: start service db (detached) in compose project shop and wait until healthy (up to 2m)",
                new UpAction().describe(up, COMPOSE));
        assertEquals("kubernetes: scale deployment/db in namespace shop to 1 replica and wait for the rollout (up to 2m)",
                new UpAction().describe(up, KUBE));
        String both = new UpAction().describe(up);
        assertTrue(both.startsWith("compose: start service db (detached) in the target's compose project"), both);
        assertTrue(both.contains(" | kubernetes: scale deployment/db in the target's namespace to 1 replica"), both);

        Params exec = Params.of(Map.of("service", "api", "command", List.of("alembic", "upgrade", "head")));
        assertEquals("compose: run `alembic upgrade head` in service api of compose project shop",
                new ExecAction().describe(exec, COMPOSE));
        assertEquals("kubernetes: run [alembic, upgrade, head] in a ready pod of deployment/api in namespace shop",
                new ExecAction().describe(exec, KUBE));

        Params address = Params.of(Map.of("service", "db", "port", 5432L));
        assertTrue(new AddressAction().describe(address, COMPOSE).startsWith("compose: find the host port that container port 5432 of service db"));
        assertEquals("kubernetes: forward a free port on 127.0.0.1 to service/db:5432 in namespace shop until the run ends",
                new AddressAction().describe(address, KUBE));
        assertEquals("kubernetes: scale deployment/api, deployment/web in namespace shop to 0 replicas",
                new DownAction().describe(Params.of(Map.of("services", List.of("api", "web"))), KUBE));
        assertEquals("kubernetes: wait up to 5m for the rollouts of deployment/db, deployment/api in namespace shop to complete",
                new WaitReadyAction().describe(Params.of(Map.of("services", List.of("db", "api"))), KUBE));
    }

    @Test
    void runTimeValuesShowAsTheirExpression() {
        Params up = Params.of(Map.of("services", new Deferred("inputs.services"), "wait", true));
        assertEquals("kubernetes: scale the deployments ⟨from inputs.services⟩ in namespace shop to 1 replica and wait for "
                + "the rollouts (up to 5m)", new UpAction().describe(up, KUBE));
        assertTrue(new UpAction().describe(up, COMPOSE).contains("services ⟨from inputs.services⟩"));
    }

    @Test
    void aLocalTargetFailsClearlyBeforeAnythingRuns() {
        RecordingStepContext ctx = new RecordingStepContext(); // target: local
        StepFailure f = assertThrows(StepFailure.class, () -> new UpAction().execute(
                Params.of(Map.of("services", List.of("db"))), ctx));
        assertTrue(f.getMessage().contains("this run's target is 'local'"), f.getMessage());
        assertTrue(f.getMessage().contains("--target compose or --target kubernetes"), f.getMessage());
        assertTrue(new UpAction().describe(Params.of(Map.of()), Target.LOCAL).startsWith("fails on target 'local'"));
        assertTrue(ctx.transcript().isEmpty(), ctx.transcript());
    }

    @Test
    void describeIsPureWithoutDockerOrKubeconfig() {
        // no engine, no cluster: describe must only format
        Target nowhere = new Target("kubernetes", Map.of("namespace", "x", "kubeconfig", "/nonexistent/kubeconfig"));
        for (Action a : new ServiceExecutor().actions()) {
            Params p = Params.of(Map.of("service", "api", "services", List.of("api"), "command", List.of("true"), "port", 80L));
            assertFalse(a.describe(p, nowhere).isBlank());
            assertFalse(a.describe(p, COMPOSE).isBlank());
        }
    }
}
