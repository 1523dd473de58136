package dev.runbook.packaging;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.cli.Cli;
import dev.runbook.cli.Main;
import dev.runbook.storage.BackupKeys;
import dev.runbook.testsupport.ClusterBackupFixture;
import dev.runbook.testsupport.PushgatewayServer;
import dev.runbook.testsupport.RealCluster;
import dev.runbook.testsupport.RealKubernetes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;
import software.amazon.awssdk.core.sync.RequestBody;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * charts/backup-jobs on the REAL Kubernetes 1.20 test cluster. The chart is rendered by the
 * project's {@link ChartRenderer} (no helm binary can be installed here) with the capabilities
 * the server reports by discovery, as Helm does, and every object is installed with server-side
 * apply. Then, as an operator would after an incident, a Job is created from each CronJob
 * ({@code kubectl create job --from=cronjob/...}); the pods run the project's image (built
 * locally) against a PostgreSQL and an S3 server on the host:
 * <ol>
 *   <li>backup: the dump lands in the bucket and restores by hand ({@code aws s3 cp} + {@code psql -f});</li>
 *   <li>drill: restores it into a scratch database, records the result beside it, drops the scratch database;</li>
 *   <li>prune: runs with {@code --approve prune} (and nothing else approved) and deletes exactly
 *   the old backups the values' policy does not keep.</li>
 * </ol>
 * Each job writes its freshness metrics to the node's textfile directory (metrics.textfileDir, a
 * hostPath) and pushes them to a real Pushgateway on the host (metrics.pushgateway).
 */
@RealCluster
class BackupJobsChartKubernetesIT {

    private static final String NS = "chart";
    private static final String RELEASE = "shop";
    private static final Path CHART = Path.of("charts/backup-jobs").toAbsolutePath();
    private static final int ROWS = 250;
    private static final int OLD_BACKUPS = 10;

    @TempDir
    Path tmp;

    private ClusterBackupFixture cluster;
    private Path metricsDir;
    private PushgatewayServer pushgateway;

    @AfterEach
    void cleanUp() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
        if (pushgateway != null) {
            pushgateway.close();
        }
        if (metricsDir != null) {
            try (Stream<Path> files = Files.list(metricsDir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(metricsDir);
        }
    }

    /** What Helm's {@code .Capabilities} would say about this server: its version and its CronJob/Job APIs. */
    private static ChartRenderer.Capabilities serverCapabilities() throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode version = json.readTree(RealKubernetes.kubectl("get", "--raw", "/version"));
        Set<String> apis = new HashSet<>();
        for (String groupVersion : List.of("batch/v1", "batch/v1beta1")) {
            var discovery = RealKubernetes.kubectlResult("get", "--raw", "/apis/" + groupVersion);
            if (discovery.ok()) {
                json.readTree(discovery.stdout()).get("resources").forEach(r -> apis.add(groupVersion + "/" + r.get("kind").asText()));
            }
        }
        return new ChartRenderer.Capabilities(Integer.parseInt(version.get("major").asText().replaceAll("\\D", "")),
                Integer.parseInt(version.get("minor").asText().replaceAll("\\D", "")), apis);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> values() throws IOException {
        Map<String, Object> values = new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
        Map<String, Object> image = (Map<String, Object>) values.get("image");
        String[] ref = ClusterBackupFixture.IMAGE.split(":");
        image.put("repository", ref[0]);
        image.put("tag", ref[1]);
        image.put("pullPolicy", "Never"); // built locally, no registry
        values.put("existingSecret", ClusterBackupFixture.SECRET);
        Map<String, Object> prune = (Map<String, Object>) values.get("prune");
        prune.put("enabled", true);
        prune.put("inputs", Map.of("keep_last", 2, "keep_daily", 0, "keep_weekly", 0, "keep_monthly", 0, "keep_yearly", 0,
                "min_age", "1d"));
        ((Map<String, Object>) values.get("drill")).put("enabled", true);
        Map<String, Object> metrics = (Map<String, Object>) values.get("metrics");
        metrics.put("textfileDir", metricsDir.toString());
        metrics.put("pushgateway", "http://" + cluster.gateway() + ":" + pushgateway.port());
        // a Role and RoleBinding too, so every kind the chart can make goes through the real API server
        Map<String, Object> rbac = (Map<String, Object>) values.get("rbac");
        rbac.put("create", true);
        rbac.put("rules", List.of(Map.of("apiGroups", List.of(""), "resources", List.of("configmaps"), "verbs", List.of("get"))));
        return values;
    }

    private Set<String> dumpKeys() {
        return cluster.s3().client().listObjectsV2Paginator(b -> b.bucket(cluster.bucket()).prefix("postgres/")).contents().stream()
                .map(o -> o.key()).filter(k -> k.endsWith(".sql")).collect(Collectors.toCollection(TreeSet::new));
    }

    private String metrics(String file) throws IOException {
        Path f = metricsDir.resolve(file);
        assertTrue(Files.isRegularFile(f), "the job wrote " + f + "; the directory has " + Files.list(metricsDir).toList());
        return Files.readString(f);
    }

    @Test
    void theChartsBackupDrillAndPruneCronJobsRunTheirJobsOnARealCluster() throws Exception {
        // node-exporter's textfile directory on the node: the pods write to it as uid 10001
        metricsDir = Files.createTempDirectory("runbook-chart-metrics-");
        Files.setPosixFilePermissions(metricsDir, PosixFilePermissions.fromString("rwxrwxrwx"));
        cluster = ClusterBackupFixture.start(NS, ROWS);
        pushgateway = PushgatewayServer.start("0.0.0.0"); // reached by the pods at the Docker bridge's gateway

        // Older backups already in the bucket (3..12 days old), for the prune to work on.
        TreeSet<String> old = new TreeSet<>();
        Instant now = Instant.now();
        for (int days = 3; days < 3 + OLD_BACKUPS; days++) {
            String key = "postgres/postgres_" + BackupKeys.TIMESTAMP.format(now.minus(Duration.ofDays(days))) + ".sql";
            cluster.s3().client().putObject(b -> b.bucket(cluster.bucket()).key(key), RequestBody.fromString("-- old dump\n"));
            old.add(key);
        }

        // Install: render with the server's capabilities, then server-side apply of every object.
        ChartRenderer.Capabilities capabilities = serverCapabilities();
        assertTrue(capabilities.apiVersions().contains("batch/v1beta1/CronJob") && !capabilities.apiVersions().contains("batch/v1/CronJob"),
                "the test cluster is 1.20: " + capabilities);
        List<String> docs = new ChartRenderer(CHART, values(), RELEASE, NS, capabilities).renderChart();
        Path manifests = tmp.resolve("chart.yaml");
        Files.writeString(manifests, String.join("---\n", docs));
        String applied = RealKubernetes.kubectl("apply", "--server-side", "--field-manager=runbook-chart-test", "-f", manifests.toString());
        assertEquals(Set.of("serviceaccount/shop", "configmap/shop-runbook", "role.rbac.authorization.k8s.io/shop",
                        "rolebinding.rbac.authorization.k8s.io/shop", "cronjob.batch/shop-backup", "cronjob.batch/shop-drill",
                        "cronjob.batch/shop-prune"),
                applied.lines().map(l -> l.replace(" serverside-applied", "").strip()).collect(Collectors.toSet()), applied);
        assertEquals("shop-backup=0 2 * * * shop-drill=0 5 * * 0 shop-prune=30 3 * * *",
                RealKubernetes.kubectl("get", "cronjobs.v1beta1.batch", "-n", NS, "-o",
                        "jsonpath={range .items[*]}{.metadata.name}={.spec.schedule} {end}").strip());
        assertTrue(RealKubernetes.kubectl("get", "cronjob.v1beta1.batch", "shop-prune", "-n", NS, "-o",
                "jsonpath={.metadata.managedFields[*].manager}/{.metadata.managedFields[*].operation}").contains("runbook-chart-test/Apply"));

        // 1. The backup, and the restore by hand.
        cluster.runJobFrom("shop-backup", "backup-1");
        Set<String> taken = new TreeSet<>(dumpKeys());
        taken.removeAll(old);
        assertEquals(1, taken.size(), "one new dump: " + dumpKeys());
        String backup = taken.iterator().next();
        assertEquals(ROWS, cluster.restoreByHand(backup, "shop_restored", tmp));
        String backupMetrics = metrics("runbook_backup_postgres.prom");
        assertTrue(backupMetrics.contains("runbook_backup_last_run_success{database=\"postgres\"} 1"), backupMetrics);

        // 2. The drill, triggered by the project's own kubectl.run-job (from-cronjob) from a runbook:
        //    restored into a scratch database, verified, recorded beside the backup, dropped.
        Path trigger = tmp.resolve("drill-now.yaml");
        Files.writeString(trigger, """
                name: drill-now
                description: Run the weekly restore drill's Job now and wait for it
                steps:
                  - id: drill
                    uses: kubectl.run-job
                    with: { from-cronjob: shop-drill, name: drill-1, namespace: %s, within: 5m }
                """.formatted(NS));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = Map.of("KUBECONFIG", RealKubernetes.kubeconfig().toString(),
                "RUNBOOK_STATE_DIR", tmp.resolve("state").toString());
        int code = Main.run(new Cli(new PrintWriter(out, true), new PrintWriter(err, true), new BufferedReader(new StringReader("")),
                env, tmp, false), "run", trigger.toString());
        assertEquals(0, code, out + "\n" + err);
        assertTrue(out.toString().contains("job/drill-1 completed"), out.toString());
        assertEquals("shop-drill", RealKubernetes.kubectl("get", "job", "drill-1", "-n", NS, "-o",
                "jsonpath={.metadata.ownerReferences[0].name}").strip(), "owned by its CronJob, as kubectl create job --from makes it");
        assertTrue(cluster.s3().client().headObject(b -> b.bucket(cluster.bucket()).key(BackupKeys.drillKey(backup))).contentLength() > 0,
                "the drill's record beside " + backup);
        assertEquals(0, cluster.pg().queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname LIKE 'restore_drill_%'"),
                "the scratch database was dropped");
        String drillMetrics = metrics("runbook_drill_postgres.prom");
        assertTrue(drillMetrics.contains("runbook_drill_rows{database=\"postgres\"} " + ROWS), drillMetrics);

        // 3. The prune: approved by name only, keeps the newest two (keep_last 2), deletes the other old ones.
        cluster.runJobFrom("shop-prune", "prune-1");
        String args = RealKubernetes.kubectl("get", "pods", "-n", NS, "-l", "job-name=prune-1", "-o",
                "jsonpath={.items[0].spec.containers[0].args}");
        assertEquals(List.of("run", "/runbooks/prune.yaml", "--approve", "prune"), List.of(new ObjectMapper().readValue(args, String[].class)));
        String newestOld = old.last();
        assertEquals(new TreeSet<>(Set.of(backup, newestOld)), dumpKeys(), "kept: the new backup and the newest old one");
        String pruneMetrics = metrics("runbook_prune_all.prom");
        assertTrue(pruneMetrics.contains("runbook_prune_backups_deleted{database=\"all\"} " + (OLD_BACKUPS - 1)), pruneMetrics);
        assertTrue(pruneMetrics.contains("runbook_prune_backups_kept{database=\"all\"} 2"), pruneMetrics);

        // The same results pushed by the pods to the Pushgateway of metrics.pushgateway.
        for (String job : List.of("backup", "drill", "prune")) {
            Map<String, Double> success = pushgateway.scrape("runbook_" + job + "_last_run_success");
            assertEquals(List.of(1.0), List.copyOf(success.values()), job + ": " + success);
        }
        assertEquals(List.of((double) ROWS), List.copyOf(pushgateway.scrape("runbook_backup_rows").values()));
        assertEquals(List.of(2.0), List.copyOf(pushgateway.scrape("runbook_prune_backups_kept").values()));
    }
}
