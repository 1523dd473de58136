package dev.runbook.export;

import dev.runbook.cli.Cli;
import dev.runbook.cli.Main;
import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.RealCluster;
import dev.runbook.testsupport.RealKubernetes;
import dev.runbook.testsupport.S3ProxyServer;
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
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
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
 */
@RealCluster
class NightlyCronJobKubernetesIT {

    private static final String NS = "nightly";
    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final String IMAGE = "runbook-test/runbook:dev";

    @TempDir
    Path tmp;

    private PostgresCluster pg;
    private S3ProxyServer s3;

    @AfterEach
    void cleanUp() {
        RealKubernetes.deleteNamespace(NS);
        if (s3 != null) {
            s3.close();
        }
        if (pg != null) {
            pg.stop();
        }
    }

    private static String gateway() {
        String out = Exec.run(List.of("ip", "-4", "-o", "addr", "show", "docker0"), Map.of(), null, Duration.ofSeconds(10))
                .orThrow().stdout();
        return out.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1").trim();
    }

    @Test
    void theExportedCronJobBacksUpFromAPodAndTheBackupRestoresByHand() throws Exception {
        Exec.run(List.of(REPO.resolve("scripts/k8s/runbook-image.sh").toString(), IMAGE), Map.of(), REPO,
                Duration.ofMinutes(10)).orThrow();
        String gw = gateway();
        pg = PostgresCluster.builder().authMode(PostgresCluster.AuthMode.SCRAM).listenAddresses("127.0.0.1," + gw).start();
        pg.createDatabase("shop");
        try (Connection c = pg.connect("shop"); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE orders (id int primary key, item text)");
            st.execute("INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, 321) g");
        }
        s3 = S3ProxyServer.start("0.0.0.0");
        String bucket = s3.createBucket("nightly-" + System.nanoTime());

        // What the cluster operator keeps in the Secret: never in the exported objects.
        RealKubernetes.kubectl("create", "namespace", NS);
        RealKubernetes.kubectl("create", "secret", "generic", "backup-credentials", "-n", NS,
                "--from-literal=BACKUP_BUCKET=" + bucket,
                "--from-literal=PGHOST=" + gw, "--from-literal=PGPORT=" + pg.port(),
                "--from-literal=PGUSER=" + pg.superuser(), "--from-literal=PGPASSWORD=" + pg.superuserPassword(),
                "--from-literal=PGDATABASE=shop",
                "--from-literal=AWS_ACCESS_KEY_ID=" + S3ProxyServer.ACCESS_KEY,
                "--from-literal=AWS_SECRET_ACCESS_KEY=" + S3ProxyServer.SECRET_KEY,
                "--from-literal=AWS_REGION=" + S3ProxyServer.REGION,
                "--from-literal=AWS_ENDPOINT_URL=http://" + gw + ":" + s3.port());

        // runbook export cronjob, with the cluster reachable: it picks the API the server has.
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KUBECONFIG", RealKubernetes.kubeconfig().toString());
        Cli cli = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), new BufferedReader(new StringReader("")),
                env, REPO, false);
        int code = Main.run(cli, "export", "cronjob", "runbooks/backup.yaml", "--schedule", "0 2 * * *",
                "--image", IMAGE, "--namespace", NS, "--name", "nightly-backup");
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
        RealKubernetes.kubectl("create", "job", "manual-1", "--from=cronjob/nightly-backup", "-n", NS);
        Exec.Result done = RealKubernetes.kubectlResult("wait", "--for=condition=complete", "job/manual-1", "-n", NS,
                "--timeout=300s");
        String logs = RealKubernetes.kubectlResult("logs", "job/manual-1", "-n", NS).stdout();
        assertTrue(done.ok(), "the Job completed: " + done.stderr() + "\npod logs:\n" + logs
                + RealKubernetes.kubectlResult("describe", "pods", "-n", NS).stdout());

        // The backup is in the bucket, and restores by hand with the plain commands.
        List<S3Object> dumps = s3.client().listObjectsV2(b -> b.bucket(bucket).prefix("postgres/")).contents().stream()
                .filter(o -> o.key().endsWith(".sql")).toList();
        assertEquals(1, dumps.size(), "one dump: " + dumps);
        Path dump = tmp.resolve("restore.sql");
        Map<String, String> awsEnv = new LinkedHashMap<>(s3.env());
        Exec.run(List.of("/usr/bin/aws", "--endpoint-url", s3.endpoint().toString(), "s3", "cp",
                "s3://" + bucket + "/" + dumps.get(0).key(), dump.toString()), awsEnv, tmp, Duration.ofMinutes(2)).orThrow();
        pg.createDatabase("shop_restored");
        Map<String, String> psqlEnv = new LinkedHashMap<>(pg.clientEnv("shop_restored"));
        List<String> psql = new ArrayList<>(List.of("psql", "-v", "ON_ERROR_STOP=1", "-h", pg.host(), "-p",
                String.valueOf(pg.port()), "-U", pg.superuser(), "-d", "shop_restored", "-f", dump.toString()));
        Exec.run(psql, psqlEnv, tmp, Duration.ofMinutes(2)).orThrow();
        try (Connection c = pg.connect("shop_restored"); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM orders")) {
            rs.next();
            assertEquals(321, rs.getInt(1));
        }
    }
}
