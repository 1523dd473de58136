package dev.runbook.cli;

import com.sun.net.httpserver.HttpServer;
import dev.runbook.testsupport.PostgresCluster;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.server.mock.OutputStreamMessage;
import io.fabric8.kubernetes.client.server.mock.StatusStreamMessage;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * runbooks/full-restore.yaml with {@code --target kubernetes}, through {@link Main#run}, against
 * the FABRIC8 MOCK Kubernetes API server (no real API server can run on the build machines).
 * A test thread plays the deployment controller (it marks rollouts complete after a scale);
 * {@code alembic upgrade head} is answered by a mock exec expectation. A port-forward cannot
 * carry traffic on the mock, so the database steps reach a real local PostgreSQL through the
 * runbook's {@code db_host}/{@code db_port} inputs, and the health check a local JDK HttpServer
 * through {@code health_url}. Secrets, backups and the restore itself are real (file:// store,
 * real pg_dump/psql).
 */
class FullRestoreKubernetesMockIT {

    private static final String NS = "shop";
    private static final Path REPO = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    private KubernetesMockServer server;
    private NamespacedKubernetesClient kube;
    private Path kubeconfig;
    private Thread controller;
    private final Set<String> stuck = ConcurrentHashMap.newKeySet();
    private volatile boolean running = true;

    @BeforeEach
    void startMockCluster() throws IOException {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), true);
        server.init();
        kube = server.createClient().inNamespace(NS);
        kubeconfig = tmp.resolve("kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                clusters:
                - name: mock
                  cluster: { server: "%s", certificate-authority: "%s" }
                contexts:
                - name: mock
                  context: { cluster: mock, user: admin, namespace: %s }
                current-context: mock
                users:
                - name: admin
                  user: { token: mock-token }
                """.formatted(server.url("/").replaceAll("/$", ""), server.getSelfSignedCertificate().certificatePath(), NS));
        for (String name : List.of("db", "api", "web")) {
            kube.apps().deployments().resource(new DeploymentBuilder()
                    .withNewMetadata().withName(name).withNamespace(NS).endMetadata()
                    .withNewSpec().withReplicas(0).withNewSelector().addToMatchLabels("app", name).endSelector()
                    .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                    .withNewSpec().addNewContainer().withName(name).withImage(name + ":1").endContainer().endSpec()
                    .endTemplate().endSpec().build()).create();
        }
        // The api's pod, as the (simulated) ReplicaSet controller would have made it after the scale.
        kube.pods().resource(new PodBuilder()
                .withNewMetadata().withName("api-5f7c9").withNamespace(NS).addToLabels("app", "api").endMetadata()
                .withNewSpec().addNewContainer().withName("api").withImage("api:1").endContainer().endSpec()
                .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        controller = new Thread(this::playDeploymentController, "mock-deployment-controller");
        controller.setDaemon(true);
        controller.start();
    }

    /** Marks every scaled deployment's rollout complete, except those in {@link #stuck}. */
    private void playDeploymentController() {
        while (running) {
            try {
                for (Deployment d : kube.apps().deployments().list().getItems()) {
                    int want = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
                    Integer have = d.getStatus() == null ? null : d.getStatus().getAvailableReplicas();
                    if (stuck.contains(d.getMetadata().getName()) || (have != null && have == want)) {
                        continue;
                    }
                    d.setStatus(new DeploymentStatusBuilder().withReplicas(want).withUpdatedReplicas(want).withReadyReplicas(want)
                            .withAvailableReplicas(want).withObservedGeneration(d.getMetadata().getGeneration()).build());
                    kube.apps().deployments().resource(d).updateStatus();
                }
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a conflict with the runbook's own update: try again on the next round
            }
        }
    }

    @AfterEach
    void stop() throws InterruptedException {
        running = false;
        controller.interrupt();
        controller.join(2000);
        kube.close();
        server.destroy();
    }

    record Result(int code, String out, String err) {
        String all() {
            return out + "\n" + err;
        }
    }

    private Result runbook(Map<String, String> env, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> fullEnv = new LinkedHashMap<>(env);
        fullEnv.put("KUBECONFIG", kubeconfig.toString());
        fullEnv.put("RUNBOOK_STATE_DIR", tmp.resolve("state").toString());
        Cli cli = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), new BufferedReader(new StringReader("")),
                fullEnv, REPO, false);
        int code = Main.run(cli, args);
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void fullRestoreOnKubernetesCreatesTheSecretScalesMigratesAndChecksHealth() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        String source = "shop_src_" + System.nanoTime();
        String restored = "shop_restored_" + System.nanoTime();
        pg.createDatabase(source);
        try (Connection c = pg.connect(source); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id int primary key, item text)");
            st.execute("INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 250) g");
        }
        Map<String, String> pgEnv = pg.clientEnv(source);

        // Last night's backup, made by runbooks/backup.yaml into a file:// store.
        Path store = tmp.resolve("bucket");
        Result backup = runbook(pgEnv, "run", "runbooks/backup.yaml", "--yes",
                "--input", "location=" + store.resolve("postgres").toUri() + "/".replace("//", "/"));
        assertEquals(0, backup.code(), backup.all());

        // The deployment's secret files, saved by runbooks/backup-secrets.yaml.
        Path deploySaved = tmp.resolve("deploy-before");
        Files.createDirectories(deploySaved.resolve("secrets"));
        Files.writeString(deploySaved.resolve("secrets/db_password"), "s3cr3t-db-pw\n");
        Files.writeString(deploySaved.resolve("secrets/api_key"), "k-123\n");
        Files.writeString(deploySaved.resolve(".env"), "APP_ENV=prod\n");
        Result saved = runbook(Map.of(), "run", "runbooks/backup-secrets.yaml", "--yes",
                "--input", "to=" + store.resolve("secrets").toUri(), "--input", "deploy_dir=" + deploySaved);
        assertEquals(0, saved.code(), saved.all());

        // The api's /health, and the exec the migration step makes in the api pod.
        AtomicInteger healthHits = new AtomicInteger();
        HttpServer http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/health", ex -> {
            healthHits.incrementAndGet();
            byte[] body = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        server.expect().get()
                .withPath("/api/v1/namespaces/shop/pods/api-5f7c9/exec?command=alembic&command=upgrade&command=head&container=api&stdout=true&stderr=true")
                .andUpgradeToWebSocket()
                .open(new OutputStreamMessage("INFO  [alembic.runtime.migration] Running upgrade 3a1 -> 4b2, add orders.note\n"),
                        new StatusStreamMessage(0))
                .done().once();

        // The empty database the db deployment's image creates on first start (POSTGRES_DB).
        pg.createDatabase(restored);
        Path deployDir = tmp.resolve("deploy");
        List<String> args = new ArrayList<>(List.of("runbooks/full-restore.yaml", "--target", "kubernetes",
                "--input", "location=" + store.resolve("postgres").toUri(),
                "--input", "secrets_location=" + store.resolve("secrets").toUri(),
                "--input", "deploy_dir=" + deployDir,
                "--input", "db_host=" + pg.host(), "--input", "db_port=" + pg.port(),
                "--input", "db_user=" + pg.superuser(), "--input", "database=" + restored,
                "--input", "health_url=http://127.0.0.1:" + http.getAddress().getPort() + "/health",
                "--input", "health_within=20s"));
        try {
            List<String> planArgs = new ArrayList<>(List.of("plan"));
            planArgs.addAll(args);
            Result plan = runbook(Map.of(), planArgs.toArray(String[]::new));
            assertEquals(0, plan.code(), plan.all());
            assertTrue(plan.out().contains("kubernetes: scale deployment/db in namespace shop to 1 replica and wait for the rollout"), plan.out());
            assertTrue(plan.out().contains("create or update secret app-secrets"), plan.out());
            assertTrue(plan.out().contains("run [alembic, upgrade, head] in a ready pod of deployment/api in namespace shop"), plan.out());
            assertEquals(0, kube.apps().deployments().withName("db").get().getSpec().getReplicas(), "plan changed nothing");
            assertTrue(kube.secrets().list().getItems().isEmpty(), "plan changed nothing");

            List<String> runArgs = new ArrayList<>(List.of("run"));
            runArgs.addAll(args);
            runArgs.add("--yes");
            Result run = runbook(Map.of(), runArgs.toArray(String[]::new));
            assertEquals(0, run.code(), run.all());

            Secret secret = kube.secrets().withName("app-secrets").get();
            assertNotNull(secret, "Secret created from the restored secrets/ files");
            assertEquals(Set.of("db_password", "api_key"), secret.getData().keySet());
            assertEquals("s3cr3t-db-pw\n", new String(Base64.getDecoder().decode(secret.getData().get("db_password")), StandardCharsets.UTF_8));
            assertTrue(!run.all().contains("s3cr3t-db-pw"), "a secret's content never appears in the output");

            for (String name : List.of("db", "api", "web")) {
                Deployment d = kube.apps().deployments().withName(name).get();
                assertEquals(1, d.getSpec().getReplicas(), name + " scaled up");
                assertEquals(1, d.getStatus().getAvailableReplicas(), name + " ready");
            }
            assertTrue(run.all().contains("Running upgrade 3a1 -> 4b2"), "alembic upgrade head ran in the api pod: " + run.all());
            assertTrue(healthHits.get() >= 1, "health checked");
            try (Connection c = pg.connect(restored); Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
                rs.next();
                assertEquals(250, rs.getInt(1), "the backup was loaded");
            }
        } finally {
            http.stop(0);
            pg.dropDatabase(source);
            pg.dropDatabase(restored);
        }
    }

    private Path serviceRunbook(String within) throws IOException {
        Path file = tmp.resolve("start-db.yaml");
        Files.writeString(file, """
                name: start-db
                target:
                  default: kubernetes
                  kubernetes: { namespace: shop }
                steps:
                  - id: start-db
                    uses: service.up
                    with: { services: [db], within: %s }
                """.formatted(within));
        return file;
    }

    @Test
    void aRolloutThatNeverCompletesTimesOutWithAClearMessage() throws IOException {
        stuck.add("db");
        Result r = runbook(Map.of(), "run", serviceRunbook("3s").toString(), "--yes");
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertEquals(1, kube.apps().deployments().withName("db").get().getSpec().getReplicas(), "the scale itself happened");
        String all = r.all();
        assertTrue(all.contains("timed out after 3.0s waiting for rollout of deployment/db"), all);
        assertTrue(all.contains("kubectl describe deployment db -n shop"), "says where to look next: " + all);
    }

    @Test
    void rbacForbiddingTheScaleNamesTheVerbAndResource() throws IOException {
        String message = "deployments.apps \"db\" is forbidden: User \"system:serviceaccount:shop:runbook\" cannot patch"
                + " resource \"deployments/scale\" in API group \"apps\" in the namespace \"shop\"";
        for (var method : List.of(server.expect().patch(), server.expect().put())) {
            method.withPath("/apis/apps/v1/namespaces/shop/deployments/db/scale")
                    .andReturn(403, new StatusBuilder().withStatus("Failure").withReason("Forbidden").withCode(403).withMessage(message).build())
                    .always();
        }
        Result r = runbook(Map.of(), "run", serviceRunbook("10s").toString(), "--yes");
        assertEquals(ExitCodes.STEP_FAILED, r.code(), r.all());
        assertTrue(r.all().contains("forbidden: the service account/user system:serviceaccount:shop:runbook cannot patch deployments/scale"), r.all());
        assertTrue(r.all().contains("on deployment/db"), r.all());
        assertTrue(r.all().contains("kubectl auth can-i patch deployments/scale"), r.all());
        assertEquals(0, kube.apps().deployments().withName("db").get().getSpec().getReplicas(), "nothing was scaled");
    }
}
