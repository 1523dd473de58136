package dev.runbook.runbooks;

import dev.runbook.cli.Cli;
import dev.runbook.cli.Main;
import dev.runbook.engine.Journal;
import dev.runbook.testsupport.Docker;
import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 4 end to end, on a REAL Docker engine (Compose v1), a REAL S3 API server (S3Proxy) and a
 * REAL PostgreSQL dump: a seeded host database is backed up with runbooks/backup.yaml, the
 * deployment's secrets/ and .env with runbooks/backup-secrets.yaml; then, from an engine with
 * none of the project's containers, `runbook run runbooks/full-restore.yaml --yes` (in-process
 * CLI) must rebuild everything. Each test works on its own copy of runbooks/ and
 * examples/compose-shop/ with its own Compose project name, removed afterwards.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FullRestoreComposeE2EIT {

    static final String DB_PASSWORD = "shop-Db-pw-7c1e";
    static final int USERS = 120;
    static final int ORDERS = 300;
    static final Path REPO = Path.of("").toAbsolutePath();

    S3ProxyServer s3;
    String bucket;
    PostgresCluster source;
    Path work;
    final List<String> projects = new ArrayList<>();

    /** One deployment copy: its runbooks, compose dir, Compose project, api host port, secrets location. */
    record Deployment(Path root, Path composeDir, String project, int apiPort, String secrets) {
        Path runbook(String name) {
            return root.resolve("runbooks").resolve(name);
        }
    }

    record Result(int exitCode, String output) {
    }

    @BeforeAll
    void backUpASeededDatabase() throws Exception {
        Docker.requireAvailable();
        s3 = S3ProxyServer.start();
        bucket = s3.createBucket("shop-backups");
        work = Files.createTempDirectory("full-restore-it");
        source = PostgresCluster.builder().start();
        source.execute("postgres", "CREATE ROLE app LOGIN PASSWORD '" + DB_PASSWORD + "'");
        source.execute("postgres", "CREATE DATABASE app OWNER app");
        source.execute("app", "SET ROLE app; "
                + "CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL); "
                + "INSERT INTO users SELECT g, 'user' || g || '@shop.test' FROM generate_series(1, " + USERS + ") g; "
                + "CREATE TABLE orders (id int PRIMARY KEY, user_id int REFERENCES users, total numeric); "
                + "INSERT INTO orders SELECT g, 1 + g % " + USERS + ", g * 1.5 FROM generate_series(1, " + ORDERS + ") g;");
        Path copy = copyRepo("backup");
        Map<String, String> env = env();
        env.put("PGPASSWORD", DB_PASSWORD);
        Result backup = cli(env, "run", copy.resolve("runbooks/backup.yaml").toString(), "--yes",
                "--input", "location=s3://" + bucket + "/postgres/", "--input", "host=" + source.host(),
                "--input", "port=" + source.port(), "--input", "user=app", "--input", "database=app");
        assertEquals(0, backup.exitCode(), backup.output());
    }

    @AfterEach
    void removeContainers() {
        projects.forEach(FullRestoreComposeE2EIT::removeProject);
        projects.clear();
    }

    @AfterAll
    void stopServices() throws IOException {
        if (s3 != null) {
            s3.close();
        }
        if (source != null) {
            source.close();
        }
        if (work != null) {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void rebuildsEverythingFromTheBucket() throws Exception {
        Deployment d = deploy("ok", "APP_ENV=production\n");
        Result run = fullRestore(d, env());
        assertEquals(0, run.exitCode(), run.output());

        assertEquals(Set.of("db", "api", "web"), runningServices(d.project()));
        assertEquals(200, health(d.apiPort()));
        try (Connection c = restoredDatabase(d)) {
            assertEquals(USERS, count(c, "SELECT count(*) FROM users"));
            assertEquals(ORDERS, count(c, "SELECT count(*) FROM orders"));
            assertEquals(1, count(c, "SELECT count(*) FROM alembic_version WHERE version_num = '0002'"));
            assertEquals(1, count(c, "SELECT count(*) FROM information_schema.columns "
                    + "WHERE table_name = 'users' AND column_name = 'migrated_at'"));
        }
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        assertEquals(ownerOnly, Files.getPosixFilePermissions(d.composeDir().resolve("secrets/db_password")));
        assertEquals(ownerOnly, Files.getPosixFilePermissions(d.composeDir().resolve(".env")));
        assertEquals(DB_PASSWORD, Files.readString(d.composeDir().resolve("secrets/db_password")));
        assertFalse(run.output().contains(DB_PASSWORD), "the password must never be printed");
        assertFalse(Files.readString(journal(d)).contains(DB_PASSWORD), "nor journaled");
    }

    @Test
    void aFailedMigrationStopsTheRunWithTheApiLogsAndResumeDoesNotReloadTheDump() throws Exception {
        Deployment d = deploy("migfail", "APP_ENV=production\nMIGRATION_FAIL=1\n");
        Result run = fullRestore(d, env());
        assertEquals(1, run.exitCode(), run.output());
        String runId = onlyRun(d);
        String journal = Files.readString(journal(d));
        assertEquals(List.of("failed"), outcomes(d, "migrate"), journal);
        assertEquals(List.of("skipped"), outcomes(d, "start-all"), journal);

        Result show = cli(stateEnv(d), "show", runId);
        assertTrue(show.output().contains("simulated failure (MIGRATION_FAIL)"), show.output());
        assertTrue(show.output().contains("api: listening on :8000"), "the api container's own log lines: " + show.output());

        // the fix: the restored .env was wrong; correct it and continue the same run
        Path env = d.composeDir().resolve(".env");
        Files.writeString(env, Files.readString(env).replace("MIGRATION_FAIL=1\n", ""));
        // the operator resumes from the same shell: secrets come from the environment again, never from the journal
        Map<String, String> resumeEnv = new java.util.HashMap<>(stateEnv(d));
        resumeEnv.put("PGPASSWORD", DB_PASSWORD);
        Result resume = cli(resumeEnv, "resume", runId, "--yes");
        assertEquals(0, resume.exitCode(), resume.output());
        String after = Files.readString(journal(d));
        assertTrue(after.contains("\"event\":\"step-reused\"") && after.matches("(?s).*step-reused[^\\n]*\"step\":\"load/load\".*"),
                "the dump load must be reused, not repeated: " + after);
        assertEquals(List.of("succeeded"), outcomes(d, "load/load"), "load/load ran exactly once over both invocations");
        assertEquals(200, health(d.apiPort()));
        try (Connection c = restoredDatabase(d)) {
            assertEquals(USERS, count(c, "SELECT count(*) FROM users"));
        }
    }

    @Test
    void aHealthEndpointThatNeverAnswersTimesOutClearly() throws Exception {
        Deployment d = deploy("nohealth", "APP_ENV=production\n");
        int nothing = freePort();
        String url = "http://127.0.0.1:" + nothing + "/health";
        Result run = fullRestore(d, env(), "--input", "health_url=" + url, "--input", "health_within=4s");
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains(url) && run.output().contains("within 4s"), run.output());
        String journal = Files.readString(journal(d));
        assertEquals(List.of("failed"), outcomes(d, "health"), journal);
        assertEquals(List.of("succeeded"), outcomes(d, "start-all"), journal);
    }

    @Test
    void withoutADockerEngineItStopsBeforeChangingAnything() throws Exception {
        Deployment d = deploy("nodocker", "APP_ENV=production\n");
        Map<String, String> env = env();
        env.put("DOCKER_HOST", "unix:///nonexistent.sock");
        Result run = fullRestore(d, env);
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("no Docker engine reachable at DOCKER_HOST=unix:///nonexistent.sock"), run.output());
        assertTrue(run.output().contains("Nothing was changed"), run.output());
        assertFalse(Files.exists(d.composeDir().resolve(".env")), "no file restored");
        assertFalse(Files.exists(d.composeDir().resolve("secrets")), "no secret restored");
        assertEquals(Set.of(), runningServices(d.project()));
    }

    // ------------------------------------------------------------------ helpers

    private Result fullRestore(Deployment d, Map<String, String> env, String... extra) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(stateEnv(d));
        all.put("PGPASSWORD", DB_PASSWORD); // the operator's database password
        List<String> args = new ArrayList<>(List.of("run", d.runbook("full-restore.yaml").toString(), "--yes",
                "--input", "location=s3://" + bucket + "/postgres/",
                "--input", "secrets_location=" + d.secrets(),
                "--input", "health_url=http://127.0.0.1:" + d.apiPort() + "/health"));
        args.addAll(List.of(extra));
        return cli(all, args.toArray(String[]::new));
    }

    /** A copy of the runbooks and the example deployment whose secrets exist only in the bucket. */
    private Deployment deploy(String name, String dotEnv) throws Exception {
        Path root = copyRepo(name);
        String project = "rbit" + name + UUID.randomUUID().toString().substring(0, 6);
        projects.add(project);
        removeProject(project);
        Path runbook = root.resolve("runbooks/full-restore.yaml");
        String text = Files.readString(runbook);
        assertTrue(text.contains("project: shop,"));
        Files.writeString(runbook, text.replace("project: shop,", "project: " + project + ","));
        Path compose = root.resolve("examples/compose-shop");
        int apiPort = freePort();
        Path secrets = Files.createDirectories(compose.resolve("secrets"));
        writePrivate(secrets.resolve("db_password"), DB_PASSWORD);
        writePrivate(compose.resolve(".env"), "API_HOST_PORT=" + apiPort + "\n" + dotEnv);
        String location = "s3://" + bucket + "/" + name + "/secrets/";
        Result backup = cli(env(), "run", root.resolve("runbooks/backup-secrets.yaml").toString(), "--yes",
                "--input", "to=" + location, "--state-dir", root.resolve("state-backup").toString());
        assertEquals(0, backup.exitCode(), backup.output());
        // the machine is lost: nothing of it is left locally
        Files.delete(secrets.resolve("db_password"));
        Files.delete(secrets);
        Files.delete(compose.resolve(".env"));
        return new Deployment(root, compose, project, apiPort, location);
    }

    private Path copyRepo(String name) throws IOException {
        Path root = Files.createDirectories(work.resolve(name));
        copyTree(REPO.resolve("runbooks"), root.resolve("runbooks"));
        copyTree(REPO.resolve("examples/compose-shop"), root.resolve("examples/compose-shop"));
        return root;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!from.relativize(p).startsWith("secrets") && !p.getFileName().toString().equals(".env")) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void writePrivate(Path file, String content) throws IOException {
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    private Map<String, String> env() {
        Map<String, String> env = new HashMap<>(s3.env());
        env.put("AWS_ENDPOINT_URL", s3.endpoint().toString());
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", System.getProperty("user.home"));
        return env;
    }

    private static Map<String, String> stateEnv(Deployment d) {
        return Map.of("RUNBOOK_STATE_DIR", d.root().resolve("state").toString());
    }

    private Result cli(Map<String, String> env, String... args) {
        Map<String, String> all = new HashMap<>(env());
        all.putAll(env);
        StringWriter out = new StringWriter();
        int code = Main.run(new Cli(new PrintWriter(out, true), new PrintWriter(out, true),
                new BufferedReader(new StringReader("")), all, REPO, false), args);
        return new Result(code, out.toString());
    }

    private static String onlyRun(Deployment d) throws IOException {
        try (Stream<Path> runs = Files.list(d.root().resolve("state/runs"))) {
            List<Path> all = runs.toList();
            assertEquals(1, all.size(), all.toString());
            return all.get(0).getFileName().toString();
        }
    }

    private static Path journal(Deployment d) throws IOException {
        return d.root().resolve("state/runs").resolve(onlyRun(d)).resolve("journal.jsonl");
    }

    private static Set<String> runningServices(String project) {
        Exec.Result r = Docker.docker("ps", "--filter", "label=com.docker.compose.project=" + project,
                "--filter", "status=running", "--format", "{{.Label \"com.docker.compose.service\"}}").orThrow();
        return Set.copyOf(r.stdout().lines().filter(l -> !l.isBlank()).toList());
    }

    private static Connection restoredDatabase(Deployment d) throws Exception {
        String id = Docker.docker("ps", "-q", "--filter", "label=com.docker.compose.project=" + d.project(),
                "--filter", "label=com.docker.compose.service=db").orThrow().stdout().trim();
        String port = Docker.docker("port", id, "5432/tcp").orThrow().stdout().trim().lines().findFirst().orElseThrow();
        String hostPort = port.substring(port.lastIndexOf(':') + 1);
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + hostPort + "/app", "app", DB_PASSWORD);
    }

    private static long count(Connection c, String sql) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static int health(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode();
    }

    /** The outcome of every step-finished event of {@code step} in the run's journal, in order (parsed, not matched as text). */
    private static List<String> outcomes(Deployment d, String step) throws IOException {
        return Journal.read(journal(d).getParent()).stream()
                .filter(e -> "step-finished".equals(e.get("event")) && step.equals(e.get("step")))
                .map(e -> String.valueOf(e.get("outcome"))).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Removes every container, network and volume of a Compose project (by label, no compose files needed). */
    static void removeProject(String project) {
        String label = "label=com.docker.compose.project=" + project;
        for (String id : Docker.docker("ps", "-aq", "--filter", label).stdout().lines().filter(s -> !s.isBlank()).toList()) {
            Docker.docker("rm", "-f", "-v", id);
        }
        for (String id : Docker.docker("network", "ls", "-q", "--filter", label).stdout().lines().filter(s -> !s.isBlank()).toList()) {
            Docker.docker("network", "rm", id);
        }
        for (String id : Docker.docker("volume", "ls", "-q", "--filter", label).stdout().lines().filter(s -> !s.isBlank()).toList()) {
            Docker.docker("volume", "rm", "-f", id);
        }
    }
}
