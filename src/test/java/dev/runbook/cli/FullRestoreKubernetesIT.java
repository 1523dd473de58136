package dev.runbook.cli;

import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.RealCluster;
import dev.runbook.testsupport.RealKubernetes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * runbooks/full-restore.yaml {@code --target kubernetes} against the REAL single-node
 * Kubernetes 1.20 test cluster (scripts/k8s): objects validated by a real API server
 * (server-side apply), rollouts driven by the real controllers, pods run by a real kubelet on
 * the local Docker engine, the dump loaded through a real port-forward, the migration run by a
 * real exec, /health checked through a port-forward, RBAC decided by the real authorizer.
 *
 * <p>The manifests are examples/k8s-shop/shop.yaml with two changes this cluster needs: it
 * has no cluster DNS and no kube-proxy (Service IPs do not route), so the db pod uses the
 * host's network on a free port and the api reaches it at the Docker bridge's gateway.
 * The port-forwards still go to the Services' pods as on any cluster.
 */
@RealCluster
class FullRestoreKubernetesIT {

    private static final String NS = "shop";
    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final String DB_PASSWORD = "s3cr3t-db-pw";

    @TempDir
    Path tmp;

    private PostgresCluster pg;
    private String source;
    private Path store;
    private int dbPort;

    @BeforeEach
    void lastNightsBackupAndSecrets() throws Exception {
        RealKubernetes.deleteNamespace(NS);
        pg = PostgresCluster.shared();
        source = "shop_src_" + System.nanoTime();
        pg.createDatabase(source);
        try (Connection c = pg.connect(source); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE users (id int primary key, name text)");
            st.execute("INSERT INTO users SELECT g, 'user ' || g FROM generate_series(1, 40) g");
            st.execute("CREATE TABLE orders (id int primary key, item text)");
            st.execute("INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 250) g");
            // Owned by the app's role, as in production: the dump's ALTER ... OWNER TO app works in the pod.
            st.execute("DO $$BEGIN CREATE ROLE app; EXCEPTION WHEN duplicate_object THEN NULL; END$$");
            st.execute("ALTER TABLE users OWNER TO app");
            st.execute("ALTER TABLE orders OWNER TO app");
        }
        store = tmp.resolve("bucket");
        Result backup = runbook(pg.clientEnv(source), "run", "runbooks/backup.yaml", "--yes",
                "--input", "location=" + store.resolve("postgres").toUri());
        assertEquals(0, backup.code(), backup.all());
        Path saved = tmp.resolve("deploy-before");
        Files.createDirectories(saved.resolve("secrets"));
        Files.writeString(saved.resolve("secrets/db_password"), DB_PASSWORD + "\n");
        Files.writeString(saved.resolve("secrets/api_key"), "k-123\n");
        Files.writeString(saved.resolve(".env"), "APP_ENV=prod\n");
        Result secrets = runbook(Map.of(), "run", "runbooks/backup-secrets.yaml", "--yes",
                "--input", "to=" + store.resolve("secrets").toUri(), "--input", "deploy_dir=" + saved);
        assertEquals(0, secrets.code(), secrets.all());
    }

    @AfterEach
    void cleanUp() {
        RealKubernetes.deleteNamespace(NS);
        pg.dropDatabase(source);
    }

    record Result(int code, String out, String err) {
        String all() {
            return out + "\n" + err;
        }
    }

    private Result runbook(Map<String, String> env, String... args) {
        return runbook(RealKubernetes.kubeconfig(), env, args);
    }

    private Result runbook(Path kubeconfig, Map<String, String> env, String... args) {
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

    /** examples/k8s-shop/shop.yaml adapted to this cluster's network (see the class comment), plus test changes. */
    private Path manifests(boolean withNamespace, Map<String, String> more) throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            dbPort = s.getLocalPort();
        }
        String text = Files.readString(REPO.resolve("examples/k8s-shop/shop.yaml"));
        Map<String, String> edits = new LinkedHashMap<>();
        edits.put("    spec:\n      containers:\n        - name: db\n",
                "    spec:\n      hostNetwork: true\n      containers:\n        - name: db\n          args: [postgres, -p, \"" + dbPort + "\"]\n");
        edits.put("containerPort: 5432,", "containerPort: " + dbPort + ",");
        edits.put("[pg_isready, -h, 127.0.0.1,", "[pg_isready, -h, 127.0.0.1, -p, \"" + dbPort + "\",");
        edits.put("{ name: DATABASE_HOST, value: db.shop.svc }",
                "{ name: DATABASE_HOST, value: " + bridgeGateway() + " }\n            - { name: DATABASE_PORT, value: \"" + dbPort + "\" }");
        if (!withNamespace) {
            edits.put("apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n---\n", "");
        }
        edits.putAll(more);
        for (var e : edits.entrySet()) {
            assertTrue(text.contains(e.getKey()), "the example manifest still has: " + e.getKey());
            text = text.replace(e.getKey(), e.getValue());
        }
        Path file = tmp.resolve("shop-" + System.nanoTime() + ".yaml");
        Files.writeString(file, text);
        return file;
    }

    private static String bridgeGateway() {
        String out = Exec.run(List.of("ip", "-4", "-o", "addr", "show", "docker0"), Map.of(), null, Duration.ofSeconds(10))
                .orThrow().stdout();
        return out.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1").trim();
    }

    private List<String> restoreArgs(Path manifest, String... extra) throws IOException {
        Path inputs = tmp.resolve("inputs.yaml");
        Files.writeString(inputs, "manifests: [\"" + manifest + "\"]\n");
        List<String> args = new ArrayList<>(List.of("run", "runbooks/full-restore.yaml", "--target", "kubernetes", "--yes",
                "--inputs", inputs.toString(),
                "--input", "location=" + store.resolve("postgres").toUri(),
                "--input", "secrets_location=" + store.resolve("secrets").toUri(),
                "--input", "deploy_dir=" + tmp.resolve("deploy"),
                "--input", "db_user=app", "--input", "database=app",
                "--input", "health_within=60s"));
        args.addAll(List.of(extra));
        return args;
    }

    private String psqlInDb(String sql) {
        return RealKubernetes.kubectl("exec", "-n", NS, "deploy/db", "--", "psql", "-h", "/var/run/postgresql", "-p", String.valueOf(dbPort),
                "-U", "app", "-d", "app", "-tAc", sql).trim();
    }

    @Test
    void fullRestoreRunsForRealOnTheCluster() throws Exception {
        Result run = runbook(Map.of("PGPASSWORD", DB_PASSWORD), restoreArgs(manifests(true, Map.of())).toArray(String[]::new));
        assertEquals(0, run.code(), run.all());

        // Server-side apply by the runbook's field manager, validated by the real API server.
        String managers = RealKubernetes.kubectl("get", "deployment", "api", "-n", NS, "-o",
                "jsonpath={range .metadata.managedFields[*]}{.manager}/{.operation} {end}");
        assertTrue(managers.contains("runbook/Apply"), managers);
        // The Secret from the restored secrets/ files.
        String pw = RealKubernetes.kubectl("get", "secret", "app-secrets", "-n", NS, "-o", "jsonpath={.data.db_password}");
        assertEquals(DB_PASSWORD + "\n", new String(Base64.getDecoder().decode(pw.trim())));
        assertFalse(run.all().contains(DB_PASSWORD), "a secret's content never appears in the output");
        // Rollouts completed by the real controllers.
        for (String name : List.of("db", "api", "web")) {
            assertEquals("1", RealKubernetes.kubectl("get", "deployment", name, "-n", NS, "-o",
                    "jsonpath={.status.readyReplicas}").trim(), name + " ready");
        }
        // The dump went through the port-forward into the pod's PostgreSQL, and the migration ran there.
        assertEquals("250", psqlInDb("SELECT count(*) FROM orders"));
        assertEquals("40", psqlInDb("SELECT count(*) FROM users"));
        assertEquals("0002", psqlInDb("SELECT version_num FROM alembic_version"));
        assertTrue(run.all().contains("forwarding 127.0.0.1:"), run.all());
    }

    @Test
    void anImageThatCannotStartTimesOutNamingThePodsReason() throws Exception {
        Path manifest = manifests(true, Map.of("image: runbook-test/postgres:15", "image: runbook-test/no-such-image:1"));
        Result run = runbook(Map.of("PGPASSWORD", DB_PASSWORD),
                restoreArgs(manifest, "--input", "db_start_within=20s").toArray(String[]::new));
        assertEquals(ExitCodes.STEP_FAILED, run.code(), run.all());
        String all = run.all();
        assertTrue(all.contains("timed out after 20.0s waiting for rollout of deployment/db"), all);
        assertTrue(all.contains("ErrImageNeverPull"), "names the kubelet's reason: " + all);
        assertTrue(all.contains("runbook-test/no-such-image:1"), all);
        assertEquals("", RealKubernetes.kubectl("get", "deployment", "api", "-n", NS, "-o", "jsonpath={.status.readyReplicas}").trim(),
                "nothing after the database was started");
    }

    @Test
    void aFailingMigrationLeavesItsExitCodeAndOutputInTheJournalAndCollectsTheApiLogs() throws Exception {
        Path manifest = manifests(true, Map.of("            - { name: DATABASE_USER, value: app }\n",
                "            - { name: DATABASE_USER, value: app }\n            - { name: MIGRATION_FAIL, value: \"1\" }\n"));
        Result run = runbook(Map.of("PGPASSWORD", DB_PASSWORD), restoreArgs(manifest).toArray(String[]::new));
        assertEquals(ExitCodes.STEP_FAILED, run.code(), run.all());
        assertTrue(run.all().contains("exited with code 1"), run.all());

        Result runs = runbook(Map.of(), "runs");
        String runId = runs.out().lines().filter(l -> l.contains("full-restore") && l.contains("failed")).findFirst()
                .orElseThrow(() -> new AssertionError(runs.all())).split("\\s+")[0];
        Result show = runbook(Map.of(), "show", runId);
        assertEquals(0, show.code(), show.all());
        String journal = show.out();
        assertTrue(journal.contains("migrate") && journal.contains("exited with code 1"), journal);
        assertTrue(journal.contains("simulated failure (MIGRATION_FAIL)"), "the migration's own output is kept: " + journal);
        assertTrue(journal.contains("api-logs"), "on-failure collected the api's logs: " + journal);
        assertEquals("250", psqlInDb("SELECT count(*) FROM orders"), "the data was loaded before the migration failed");
    }

    @Test
    void rbacForbiddenForARestrictedServiceAccountNamesVerbResourceAndNamespace() throws Exception {
        // The namespace and an account that may apply and read, but not scale deployments.
        RealKubernetes.kubectl("create", "namespace", NS);
        Path rbac = tmp.resolve("rbac.yaml");
        Files.writeString(rbac, """
                apiVersion: v1
                kind: ServiceAccount
                metadata: { name: restore-bot, namespace: shop }
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: { name: no-scale, namespace: shop }
                rules:
                  - apiGroups: ["", "apps"]
                    resources: [secrets, services, deployments, replicasets, pods, pods/log, pods/exec, pods/portforward]
                    verbs: [get, list, watch, create, update, patch]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: { name: restore-bot, namespace: shop }
                roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: no-scale }
                subjects: [{ kind: ServiceAccount, name: restore-bot, namespace: shop }]
                """);
        RealKubernetes.kubectl("apply", "-f", rbac.toString());
        Path kubeconfig = serviceAccountKubeconfig("restore-bot");

        Result run = runbook(kubeconfig, Map.of("PGPASSWORD", DB_PASSWORD),
                restoreArgs(manifests(false, Map.of())).toArray(String[]::new));
        assertEquals(ExitCodes.STEP_FAILED, run.code(), run.all());
        String all = run.all();
        assertTrue(all.contains("system:serviceaccount:shop:restore-bot"), all);
        assertTrue(java.util.regex.Pattern.compile("cannot (get|patch|update) deployments/scale").matcher(all).find(), all);
        assertTrue(all.contains("namespace shop"), all);
        assertEquals("0", RealKubernetes.kubectl("get", "deployment", "db", "-n", NS, "-o", "jsonpath={.spec.replicas}").trim(),
                "nothing was scaled");
    }

    /** A kubeconfig with the ServiceAccount's token (1.20 still makes a token Secret for it). */
    private Path serviceAccountKubeconfig(String sa) throws Exception {
        String secret = "";
        for (int i = 0; i < 60 && secret.isBlank(); i++) {
            secret = RealKubernetes.kubectl("get", "serviceaccount", sa, "-n", NS, "-o", "jsonpath={.secrets[0].name}").trim();
            if (secret.isBlank()) {
                Thread.sleep(250);
            }
        }
        String token = new String(Base64.getDecoder().decode(
                RealKubernetes.kubectl("get", "secret", secret, "-n", NS, "-o", "jsonpath={.data.token}").trim()));
        String admin = Files.readString(RealKubernetes.kubeconfig());
        String server = admin.replaceAll("(?s).*server: (\\S+).*", "$1");
        String ca = admin.replaceAll("(?s).*certificate-authority-data: (\\S+).*", "$1");
        Path file = tmp.resolve("restore-bot.kubeconfig");
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                clusters: [{ name: c, cluster: { server: "%s", certificate-authority-data: %s } }]
                users: [{ name: %s, user: { token: "%s" } }]
                contexts: [{ name: c, context: { cluster: c, user: %s, namespace: shop } }]
                current-context: c
                """.formatted(server, ca, sa, token, sa));
        return file;
    }
}
