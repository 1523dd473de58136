package dev.runbook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 9's "done when": a new user reads {@code runbook plan runbooks/full-restore.yaml --refresh}
 * and knows exactly what will be touched, on Docker Compose and on Kubernetes. Backups are
 * file:// in a temporary directory, the kubeconfig is a file that names an unreachable cluster
 * (nothing connects to it) and DOCKER_HOST a socket that does not exist.
 */
class FullRestorePlanTest {

    private static final Path RUNBOOK = Path.of("runbooks/full-restore.yaml").toAbsolutePath();
    private static final Path SHOP = Path.of("examples/compose-shop").toAbsolutePath();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    Path postgres;
    Path secrets;
    Path kubeconfig;
    CliRunner cli;

    @BeforeEach
    void setUp() throws IOException {
        postgres = Files.createDirectories(dir.resolve("backups/postgres"));
        secrets = Files.createDirectories(dir.resolve("backups/secrets"));
        Files.writeString(postgres.resolve("postgres_" + STAMP.format(Instant.now().minus(3, ChronoUnit.HOURS)) + ".sql"), "select 1;\n");
        kubeconfig = PlanRefreshTest.writeKubeconfig(dir.resolve("kubeconfig"), "https://k8s.prod.invalid:6443", "from-kubeconfig");
        cli = new CliRunner(dir, Map.of("KUBECONFIG", kubeconfig.toString(),
                "DOCKER_HOST", "unix://" + dir.resolve("no-docker.sock")));
    }

    private CliRunner.Result plan(String... extra) {
        List<String> args = new ArrayList<>(List.of("plan", RUNBOOK.toString(), "--refresh",
                "--input", "location=" + postgres.toUri(), "--input", "secrets_location=" + secrets.toUri()));
        args.addAll(List.of(extra));
        return cli.run(args.toArray(String[]::new));
    }

    private static String section(String out, String from, String to) {
        int start = out.indexOf(from);
        assertTrue(start >= 0, "no " + from + " in\n" + out);
        int end = out.indexOf(to, start);
        return out.substring(start, end < 0 ? out.length() : end);
    }

    @Test
    void onComposeThePlanNamesTheProjectFilesDatabaseBackupsAndHealthUrl() throws IOException {
        CliRunner.Result r = plan();
        String out = r.out();
        // the Docker engine is not there: the engine check is the one problem found now
        assertEquals(ExitCodes.PLAN_PROBLEMS, r.code(), r.toString());
        String problems = section(out, "Problems found", "\nTouches");
        assertEquals(1, problems.lines().filter(l -> l.startsWith("  ✗ ")).count(), problems);
        assertTrue(problems.contains("✗ step check-engine (The Docker engine answers (before anything is changed)): "), problems);

        String touches = section(out, "\nTouches", "\nInputs");
        assertTrue(touches.contains("Docker Compose project shop (files " + SHOP.resolve("docker-compose.yml")
                + "; directory " + SHOP + ")"), touches);
        assertTrue(touches.contains("local directory " + postgres + "/postgres_ (prefix)"), touches);
        assertTrue(touches.contains("local directory " + secrets + "/ (from)"), touches);
        assertTrue(touches.contains("local path " + SHOP + " (to)"), touches);
        assertTrue(touches.contains("PostgreSQL database app on ⟨from steps.db-address.outputs.host⟩:⟨from steps.db-address.outputs.port⟩"
                + " (user app)"), touches);
        assertTrue(touches.contains("HTTP GET http://localhost:8000/health"), touches);
        assertFalse(touches.contains("Kubernetes"), "the kubectl steps are skipped on compose:\n" + touches);
        assertCalledRunbookValuesAreQualified(out, touches);

        String health = section(out, "  - health  ", "\n\n");
        assertTrue(health.contains("GET http://localhost:8000/health until it answers 200"),
                "the conditional's condition (run.target) is known: its compose branch is shown\n" + health);
        assertTrue(out.contains("start service db (detached) in compose project shop and wait until healthy"), out);
        assertFalse(out.contains("the target's compose project"), out);
        assertTrue(out.contains("✓ holds   ${{ duration(string(steps.find-backup.outputs.age-seconds) + 's') < inputs.max_age }}"), out);
    }

    @Test
    void onKubernetesThePlanNamesContextServerNamespaceAndTheGivenDatabase() throws IOException {
        CliRunner.Result r = plan("--target", "kubernetes", "--input", "db_host=db.shop.svc", "--input", "db_port=5433");
        String out = r.out();
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        String touches = section(out, "\nTouches", "\nInputs");
        String cluster = "Kubernetes context prod-eu (server https://k8s.prod.invalid:6443, kubeconfig " + kubeconfig + "), namespace shop";
        assertTrue(touches.contains(cluster), touches);
        assertTrue(touches.contains("PostgreSQL database app on db.shop.svc:5433 (user app)"),
                "db_host is given, so the database is known now, though db-address is skipped:\n" + touches);
        assertFalse(touches.contains("steps.db-address"), touches);
        assertFalse(touches.contains("Docker Compose"), touches);
        assertTrue(touches.contains("local directory " + postgres + "/postgres_ (prefix)"), touches);
        assertTrue(touches.contains("HTTP GET http://⟨from steps.api-address.outputs.host⟩:⟨from steps.api-address.outputs.port⟩/health"),
                touches);
        assertCalledRunbookValuesAreQualified(out, touches);

        assertTrue(out.contains("apply ../examples/k8s-shop/shop.yaml in namespace shop (context prod-eu) (server-side apply as 'runbook')"), out);
        assertTrue(out.contains("create or update secret app-secrets in namespace shop (context prod-eu) from every file in"), out);
        assertTrue(out.contains("kubernetes: scale deployment/db in namespace shop (context prod-eu) to 1 replica"), out);
        assertFalse(out.contains("the target's namespace"), out);
        String health = section(out, "  - health  ", "\n\n");
        assertTrue(health.contains("GET http://⟨from steps.api-address.outputs.host⟩:⟨from steps.api-address.outputs.port⟩/health until"),
                health);

        JsonNode json = JSON.readTree(plan("--target", "kubernetes", "--format", "json").out());
        assertTrue(json.get("touches").toString().contains(cluster), json.get("touches").toPrettyString());
        assertEquals(0, json.get("problems").size(), json.get("problems").toString());
    }

    @Test
    void aKubeconfigWithoutTheTargetsNamespaceGivesTheContextsOwn() throws IOException {
        Path runbook = dir.resolve("full-restore.yaml");
        Files.writeString(runbook, Files.readString(RUNBOOK)
                .replace("kubernetes: { namespace: shop }", "kubernetes: {}")
                .replace("../examples/", SHOP.getParent() + "/"));
        Files.copy(RUNBOOK.resolveSibling("restore.yaml"), dir.resolve("restore.yaml"));
        CliRunner.Result r = cli.run("plan", runbook.toString(), "--target", "kubernetes",
                "--input", "location=" + postgres.toUri(), "--input", "secrets_location=" + secrets.toUri());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().contains("), namespace from-kubeconfig"), r.out());
        assertTrue(r.out().contains("create or update secret app-secrets in namespace from-kubeconfig (context prod-eu)"), r.out());
        assertTrue(r.out().contains("kubernetes: scale deployment/db in namespace from-kubeconfig (context prod-eu) to 1 replica"), r.out());
    }

    /** The restore runbook called by step load: its run-time values name the calling step, or the caller's value. */
    private static void assertCalledRunbookValuesAreQualified(String out, String touches) {
        assertFalse(out.contains("⟨from inputs."), "a called runbook's inputs are shown as the caller's values:\n" + out);
        assertTrue(touches.contains("load → steps.find.outputs.uri"), touches);
        assertFalse(touches.contains("⟨from steps.find.outputs"), "the called runbook's step find is not the caller's:\n" + touches);
        assertTrue(out.contains("load ⟨from steps.find-backup.outputs.uri, load → steps.find.outputs.uri⟩ into app@"), out);
    }
}
