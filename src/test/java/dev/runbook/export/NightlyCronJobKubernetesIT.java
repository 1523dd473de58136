package dev.runbook.export;

import dev.runbook.cli.Cli;
import dev.runbook.cli.Main;
import dev.runbook.testsupport.ClusterBackupFixture;
import dev.runbook.testsupport.RealCluster;
import dev.runbook.testsupport.RealKubernetes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The nightly backup as a CronJob on the REAL Kubernetes 1.20 test cluster: {@code runbook export
 * cronjob} asks the cluster which CronJob API it serves (1.20: batch/v1beta1), the objects are
 * applied with kubectl, a Job is triggered from the CronJob ({@code kubectl create job --from}),
 * and the Job's pod — the project's image, built locally (scripts/k8s/runbook-image.sh) — runs
 * runbooks/backup.yaml against a PostgreSQL and an S3 server on the host (reached at the Docker
 * bridge's gateway). The backup is then restored by hand: {@code aws s3 cp} and {@code psql -f}.
 * (The chart's CronJobs: {@code packaging/BackupJobsChartKubernetesIT}.)
 */
@RealCluster
class NightlyCronJobKubernetesIT {

    private static final String NS = "nightly";
    private static final Path REPO = Path.of("").toAbsolutePath();

    @TempDir
    Path tmp;

    private ClusterBackupFixture cluster;

    @AfterEach
    void cleanUp() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void theExportedCronJobBacksUpFromAPodAndTheBackupRestoresByHand() throws Exception {
        cluster = ClusterBackupFixture.start(NS, 321);

        // runbook export cronjob, with the cluster reachable: it picks the API the server has.
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBECONFIG", RealKubernetes.kubeconfig().toString());
        Cli cli = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), new BufferedReader(new StringReader("")),
                env, REPO, false);
        int code = Main.run(cli, "export", "cronjob", "runbooks/backup.yaml", "--schedule", "0 2 * * *",
                "--image", ClusterBackupFixture.IMAGE, "--namespace", NS, "--name", "nightly-backup");
        assertEquals(0, code, out + "\n" + err);
        String yaml = out.toString();
        assertTrue(yaml.contains("batch/v1beta1"), "1.20 serves CronJobs as batch/v1beta1 only: " + yaml);
        assertTrue(err.toString().contains("v1.20"), err.toString());
        Path objects = tmp.resolve("cronjob.yaml");
        Files.writeString(objects, yaml);
        RealKubernetes.kubectl("apply", "-f", objects.toString());
        assertEquals("0 2 * * *", RealKubernetes.kubectl("get", "cronjob.v1beta1.batch", "nightly-backup", "-n", NS,
                "-o", "jsonpath={.spec.schedule}").trim());

        // Trigger it now, as `kubectl create job --from=cronjob/...` does after an incident.
        cluster.runJobFrom("nightly-backup", "manual-1");

        // The backup is in the bucket, and restores by hand with the plain commands.
        List<S3Object> dumps = cluster.s3().client().listObjectsV2(b -> b.bucket(cluster.bucket()).prefix("postgres/")).contents()
                .stream().filter(o -> o.key().endsWith(".sql")).toList();
        assertEquals(1, dumps.size(), "one dump: " + dumps);
        assertEquals(321, cluster.restoreByHand(dumps.get(0).key(), "shop_restored", tmp));
    }
}
