package dev.runbook.testsupport;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a backup CronJob on the real test cluster ({@link RealKubernetes}) needs around it: the
 * project's image built locally ({@code scripts/k8s/runbook-image.sh}), a PostgreSQL on the host
 * with a {@code shop} database and an S3 server on the host, both listening on the Docker bridge's
 * gateway so pods reach them (the cluster has no Service routing), a namespace, and the Secret
 * {@code backup-credentials} an operator would create. {@link #restoreByHand} is the by-hand
 * restore a user would type: {@code aws s3 cp} and {@code psql -f}.
 */
public final class ClusterBackupFixture implements AutoCloseable {

    public static final String IMAGE = "runbook-test/runbook:dev";
    public static final String SECRET = "backup-credentials";
    private static final Path REPO = Path.of("").toAbsolutePath();

    private final String namespace;
    private final String gateway;
    private PostgresCluster pg;
    private S3ProxyServer s3;
    private String bucket;

    private ClusterBackupFixture(String namespace, String gateway) {
        this.namespace = namespace;
        this.gateway = gateway;
    }

    /** Builds the image, starts both servers, fills shop.orders with {@code rows} rows, creates the namespace and Secret. */
    public static ClusterBackupFixture start(String namespace, int rows) throws IOException, SQLException {
        Exec.run(List.of(REPO.resolve("scripts/k8s/runbook-image.sh").toString(), IMAGE), Map.of(), REPO,
                Duration.ofMinutes(10)).orThrow();
        ClusterBackupFixture f = new ClusterBackupFixture(namespace, dockerGateway());
        try {
            f.pg = PostgresCluster.builder().authMode(PostgresCluster.AuthMode.SCRAM).listenAddresses("127.0.0.1," + f.gateway).start();
            f.pg.createDatabase("shop");
            try (Connection c = f.pg.connect("shop"); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE orders (id int primary key, item text)");
                st.execute("INSERT INTO orders SELECT g, 'item ' || g FROM generate_series(1, " + rows + ") g");
            }
            f.s3 = S3ProxyServer.start("0.0.0.0");
            f.bucket = f.s3.createBucket(namespace + "-" + System.nanoTime());
            // What the cluster operator keeps in the Secret: never in the chart's or the exported objects.
            RealKubernetes.kubectl("create", "namespace", namespace);
            RealKubernetes.kubectl("create", "secret", "generic", SECRET, "-n", namespace,
                    "--from-literal=BACKUP_BUCKET=" + f.bucket,
                    "--from-literal=PGHOST=" + f.gateway, "--from-literal=PGPORT=" + f.pg.port(),
                    "--from-literal=PGUSER=" + f.pg.superuser(), "--from-literal=PGPASSWORD=" + f.pg.superuserPassword(),
                    "--from-literal=PGDATABASE=shop",
                    "--from-literal=AWS_ACCESS_KEY_ID=" + S3ProxyServer.ACCESS_KEY,
                    "--from-literal=AWS_SECRET_ACCESS_KEY=" + S3ProxyServer.SECRET_KEY,
                    "--from-literal=AWS_REGION=" + S3ProxyServer.REGION,
                    "--from-literal=AWS_ENDPOINT_URL=http://" + f.gateway + ":" + f.s3.port());
            return f;
        } catch (IOException | SQLException | RuntimeException | Error e) {
            f.close();
            throw e;
        }
    }

    /** The Docker bridge's address on the host: what pods reach host services at. */
    private static String dockerGateway() {
        String out = Exec.run(List.of("ip", "-4", "-o", "addr", "show", "docker0"), Map.of(), null, Duration.ofSeconds(10))
                .orThrow().stdout();
        return out.replaceAll("(?s).*inet ([0-9.]+)/.*", "$1").trim();
    }

    public PostgresCluster pg() {
        return pg;
    }

    public S3ProxyServer s3() {
        return s3;
    }

    public String bucket() {
        return bucket;
    }

    /** The host's address as pods see it (the Docker bridge's gateway). */
    public String gateway() {
        return gateway;
    }

    public String namespace() {
        return namespace;
    }

    /**
     * {@code kubectl create job JOB --from=cronjob/CRONJOB}, as after an incident, and waits until it
     * completes; fails with the pod's logs and description otherwise. Returns the pod's logs.
     */
    public String runJobFrom(String cronJob, String job) {
        RealKubernetes.kubectl("create", "job", job, "--from=cronjob/" + cronJob, "-n", namespace);
        Exec.Result done = RealKubernetes.kubectlResult("wait", "--for=condition=complete", "job/" + job, "-n", namespace,
                "--timeout=300s");
        String logs = RealKubernetes.kubectlResult("logs", "job/" + job, "-n", namespace).stdout();
        assertTrue(done.ok(), "job " + job + " completed: " + done.stderr() + "\npod logs:\n" + logs
                + RealKubernetes.kubectlResult("describe", "pods", "-n", namespace, "-l", "job-name=" + job).stdout());
        return logs;
    }

    /** Restores the dump at {@code key} by hand into a new database (aws s3 cp + psql -f); returns the rows in its orders table. */
    public long restoreByHand(String key, String database, Path workDir) {
        Path dump = workDir.resolve(database + ".sql");
        Exec.run(List.of("/usr/bin/aws", "--endpoint-url", s3.endpoint().toString(), "s3", "cp",
                "s3://" + bucket + "/" + key, dump.toString()), new LinkedHashMap<>(s3.env()), workDir, Duration.ofMinutes(2)).orThrow();
        pg.createDatabase(database);
        List<String> psql = new ArrayList<>(List.of("psql", "-v", "ON_ERROR_STOP=1", "-h", pg.host(), "-p",
                String.valueOf(pg.port()), "-U", pg.superuser(), "-d", database, "-f", dump.toString()));
        Exec.run(psql, new LinkedHashMap<>(pg.clientEnv(database)), workDir, Duration.ofMinutes(2)).orThrow();
        return pg.queryLong(database, "SELECT count(*) FROM orders");
    }

    @Override
    public void close() {
        RealKubernetes.deleteNamespace(namespace);
        if (s3 != null) {
            s3.close();
        }
        if (pg != null) {
            pg.stop();
        }
    }
}
