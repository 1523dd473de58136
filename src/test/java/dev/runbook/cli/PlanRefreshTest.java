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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code runbook plan --refresh} against a real file:// backup store (s3.latest reads it for
 * real): preconditions decided from what the probes found, problems listed first, exit code 6;
 * and what the plan names as touched (compose project and files, Kubernetes context, server and
 * namespace from a kubeconfig read without connecting, database, bucket).
 */
class PlanRefreshTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private static final String RUNBOOK = """
            name: refresh-check
            inputs:
              location: { type: string, required: true, description: where the backups are }
              max_age: { type: duration, default: 26h, description: the newest backup must be younger than this }
              note: { type: string, default: "", description: an optional remark for the journal }
            preconditions:
              - check: ${{ duration(string(steps.find-backup.outputs.age-seconds) + 's') < inputs.max_age }}
                message: the newest backup is older than max_age
              - check: ${{ inputs.max_age > duration('1h') }}
                message: max_age is at least an hour
            target:
              default: compose
              compose: { project: shop-%s, files: [docker-compose.yml] }
              kubernetes: { namespace: shop-ns }
            steps:
              - id: find-backup
                name: Find the newest database backup
                uses: s3.latest
                with: { prefix: "${{ inputs.location + 'postgres_' }}" }
              - id: load
                name: Load it
                uses: postgres.restore
                with:
                  from: ${{ steps.find-backup.outputs.uri }}
                  host: db.internal
                  port: 6543
                  database: shop
                  user: app
              - id: upload-copy
                uses: s3.upload
                with: { from: notes.txt, to: "s3://acme-backups/copies/notes.txt" }
              - id: scale
                uses: kubectl.scale
                if: ${{ run.target == 'kubernetes' }}
                with: { name: api, replicas: 1 }
              - id: up
                uses: compose.up
                if: ${{ run.target == 'compose' }}
            """;

    @TempDir
    Path dir;
    Path backups;
    CliRunner cli;
    String project;

    @BeforeEach
    void setUp() throws IOException {
        backups = Files.createDirectories(dir.resolve("backups"));
        Files.writeString(dir.resolve("docker-compose.yml"), "services: {}\n");
        project = Long.toHexString(System.nanoTime());
        Files.writeString(dir.resolve("refresh.yaml"), RUNBOOK.formatted(project));
        Path kubeconfig = writeKubeconfig(dir.resolve("kubeconfig"), "https://k8s.prod.example:6443", "");
        cli = new CliRunner(dir, Map.of("KUBECONFIG", kubeconfig.toString(), "PGPASSWORD", "pg-Secret-77"));
    }

    /**
     * A kubeconfig whose current context prod-eu names {@code server}; its user's credential
     * plugin would fail if anything ran it (the plan must not).
     */
    static Path writeKubeconfig(Path file, String server, String contextNamespace) throws IOException {
        Files.writeString(file, """
                apiVersion: v1
                kind: Config
                current-context: prod-eu
                clusters:
                  - name: prod-cluster
                    cluster: { server: "%s" }
                contexts:
                  - name: prod-eu
                    context: { cluster: prod-cluster, user: ops%s }
                users:
                  - name: ops
                    user:
                      exec: { apiVersion: client.authentication.k8s.io/v1beta1, command: /bin/false-never-run }
                """.formatted(server, contextNamespace.isEmpty() ? "" : ", namespace: " + contextNamespace));
        return file;
    }

    private void backupTaken(Instant when) throws IOException {
        Files.writeString(backups.resolve("postgres_" + STAMP.format(when) + ".sql"), "select 1;\n");
    }

    private CliRunner.Result plan(String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "plan";
        args[1] = "refresh.yaml";
        args[2] = "--refresh";
        args[3] = "--input";
        args[4] = "location=" + backups.toUri();
        System.arraycopy(extra, 0, args, 5, extra.length);
        return cli.run(args);
    }

    @Test
    void anOldBackupFailsThePreconditionFirstAndExitsSix() throws IOException {
        backupTaken(Instant.now().minus(337, ChronoUnit.HOURS));
        CliRunner.Result r = plan();
        assertEquals(ExitCodes.PLAN_PROBLEMS, r.code(), r.toString());
        String out = r.out();
        int problems = out.indexOf("Problems found");
        assertTrue(problems > 0, out);
        assertTrue(problems < out.indexOf("Touches") && problems < out.indexOf("Steps"), "problems come first:\n" + out);
        assertTrue(out.contains("✗ precondition fails: the newest backup is older than max_age"), out);
        assertTrue(out.contains("steps.find-backup.outputs.age-seconds = 12132"), "the value is shown:\n" + out);
        assertTrue(out.contains("(337h"), "seconds are also shown as a duration:\n" + out);
        assertTrue(out.contains("inputs.max_age = 26h"), out);
        assertTrue(out.contains("✗ FAILS   ${{ duration(string(steps.find-backup.outputs.age-seconds) + 's') < inputs.max_age }}\n"
                + "      the newest backup is older than max_age\n      with steps.find-backup.outputs.age-seconds = "), out);
        assertTrue(out.contains("✓ holds   ${{ inputs.max_age > duration('1h') }}\n      with inputs.max_age = 26h\n"),
                "a holding check is not shown beside its failure message:\n" + out);
        assertTrue(r.err().contains("1 problem found now"), r.err());
        assertFalse(out.contains("decided at run time, after find-backup"), out);
    }

    @Test
    void aFreshBackupHoldsAndExitsZero() throws IOException {
        backupTaken(Instant.now().minus(2, ChronoUnit.HOURS));
        CliRunner.Result r = plan();
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().contains("✓ holds   ${{ duration(string(steps.find-backup.outputs.age-seconds) + 's') < inputs.max_age }}"), r.out());
        assertFalse(r.out().contains("the newest backup is older than max_age"), "the failure message of a holding check:\n" + r.out());
        assertFalse(r.out().contains("Problems found"), r.out());
        assertTrue(r.out().contains("now: newest: " + backups.toUri()), r.out());
    }

    @Test
    void noBackupAtAllIsAProblemAndThePreconditionCannotBeDecided() {
        CliRunner.Result r = plan();
        assertEquals(ExitCodes.PLAN_PROBLEMS, r.code(), r.toString());
        String out = r.out();
        assertTrue(out.indexOf("Problems found") < out.indexOf("Steps"), out);
        assertTrue(out.contains("✗ step find-backup (Find the newest database backup): no backup found under"), out);
        assertTrue(out.contains("cannot be decided: the look at find-backup failed"), out);
        assertFalse(out.contains("PREVIEW FAILED"), out);
    }

    @Test
    void withoutRefreshThePreconditionWaitsForTheStepAndNothingIsProbed() throws IOException {
        backupTaken(Instant.now().minus(337, ChronoUnit.HOURS));
        CliRunner.Result r = cli.run("plan", "refresh.yaml", "--input", "location=" + backups.toUri());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().contains("? decided at run time, after find-backup   ${{ duration(string(steps.find-backup.outputs.age-seconds)"), r.out());
        assertTrue(r.out().contains("if it fails: the newest backup is older than max_age"), r.out());
        assertFalse(r.out().contains("now: "), r.out());
    }

    @Test
    void thePlanNamesEverythingItTouchesWithStepLabelsAndInputs() {
        CliRunner.Result r = cli.run("plan", "refresh.yaml", "--input", "location=" + backups.toUri());
        String out = r.out();
        assertTrue(out.contains("Docker Compose project shop-" + project + " (files " + dir.resolve("docker-compose.yml")), out);
        assertTrue(out.contains("PostgreSQL database shop on db.internal:6543 (user app)"), out);
        assertTrue(out.contains("S3 bucket acme-backups, key prefix copies/notes.txt (to)"), out);
        assertTrue(out.contains("local directory " + backups), out);
        assertTrue(out.contains("- find-backup  Find the newest database backup  [s3.latest]"), "the name: label is shown:\n" + out);
        assertTrue(out.contains("from=⟨from steps.find-backup.outputs.uri⟩"), "one form for run-time values:\n" + out);
        assertFalse(out.contains("<steps.") || out.contains("<known at run time") || out.contains("<inputs."), out);
        assertTrue(out.contains("max_age  = 26h  (default)  the newest backup must be younger than this"), out);
        assertTrue(out.contains("note     = \"\"  (default)  an optional remark for the journal"), out);
        assertFalse(out.contains("pg-Secret-77"), out);
    }

    @Test
    void aMissingRequiredInputListsEveryInputWithItsDescription() {
        CliRunner.Result r = cli.run("plan", "refresh.yaml");
        assertEquals(ExitCodes.INVALID, r.code(), r.toString());
        String err = r.err();
        assertTrue(err.contains("input 'location' is required (where the backups are)"), err);
        assertTrue(err.contains("Inputs (give or change one with --input NAME=VALUE)\n"
                + "  location  (not set, required)  where the backups are\n"
                + "  max_age  = 26h  (default)  the newest backup must be younger than this\n"
                + "  note     = \"\"  (default)  an optional remark for the journal\n"), "the optional inputs too:\n" + err);
        assertTrue(err.indexOf("Inputs (") < err.indexOf("cannot plan refresh-check: 1 problem"), err);
    }

    @Test
    void kubernetesContextServerAndNamespaceComeFromTheKubeconfigWithoutConnecting() {
        CliRunner.Result r = cli.run("plan", "refresh.yaml", "--target", "kubernetes", "--input", "location=" + backups.toUri());
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().contains("Kubernetes context prod-eu (server https://k8s.prod.example:6443, kubeconfig "
                + dir.resolve("kubeconfig") + "), namespace shop-ns"), r.out());
    }

    @Test
    void stepDescriptionsNameTheResolvedProjectAndNamespace() {
        CliRunner.Result compose = cli.run("plan", "refresh.yaml", "--input", "location=" + backups.toUri());
        assertEquals(ExitCodes.OK, compose.code(), compose.toString());
        assertTrue(compose.out().contains("start all services (detached) in compose project shop-" + project), compose.out());
        assertFalse(compose.out().contains("the target's compose project"), compose.out());
        CliRunner.Result kube = cli.run("plan", "refresh.yaml", "--target", "kubernetes", "--input", "location=" + backups.toUri());
        assertEquals(ExitCodes.OK, kube.code(), kube.toString());
        assertTrue(kube.out().contains("scale deployment/api in namespace shop-ns (context prod-eu) to 1 replica"), kube.out());
        assertFalse(kube.out().contains("the target's namespace"), kube.out());
    }

    @Test
    void aTargetThatCannotBeResolvedForAStepThatRunsIsAProblemNotATouch() throws IOException {
        // kubernetes: the kubeconfig named by $KUBECONFIG is gone
        CliRunner gone = new CliRunner(dir, Map.of("KUBECONFIG", dir.resolve("no-such-kubeconfig").toString()));
        CliRunner.Result kube = gone.run("plan", "refresh.yaml", "--target", "kubernetes", "--input", "location=" + backups.toUri());
        assertEquals(ExitCodes.PLAN_PROBLEMS, kube.code(), kube.toString());
        String problems = kube.out().substring(kube.out().indexOf("Problems found"), kube.out().indexOf("Touches"));
        assertTrue(problems.contains("✗ step scale: KUBECONFIG is set but none of its files exists"), kube.out());
        String touches = kube.out().substring(kube.out().indexOf("Touches"), kube.out().indexOf("Inputs"));
        assertFalse(touches.contains("KUBECONFIG") || touches.contains("Kubernetes"), touches);
        // the same kubeconfig on compose: the kubectl step is skipped, so nothing is wrong
        CliRunner.Result compose = gone.run("plan", "refresh.yaml", "--input", "location=" + backups.toUri());
        assertEquals(ExitCodes.OK, compose.code(), compose.toString());
        // compose: the target's compose file does not exist
        Files.delete(dir.resolve("docker-compose.yml"));
        CliRunner.Result noFile = cli.run("plan", "refresh.yaml", "--input", "location=" + backups.toUri(), "--format", "json");
        assertEquals(ExitCodes.PLAN_PROBLEMS, noFile.code(), noFile.toString());
        JsonNode plan = JSON.readTree(noFile.out());
        assertTrue(plan.get("problems").get(0).asText().startsWith("step up: compose file " + dir.resolve("docker-compose.yml")
                + " does not exist"), noFile.out());
        assertFalse(plan.get("touches").toString().contains("Docker Compose"), noFile.out());
    }

    @Test
    void theJsonPlanCarriesTheSameAndRunsWithRunPlan() throws Exception {
        backupTaken(Instant.now().minus(337, ChronoUnit.HOURS));
        CliRunner.Result r = plan("--format", "json");
        assertEquals(ExitCodes.PLAN_PROBLEMS, r.code(), r.toString());
        JsonNode plan = JSON.readTree(r.out());
        assertEquals(2, plan.get("format").asInt());
        assertTrue(plan.get("problems").get(0).asText().startsWith("precondition fails: the newest backup is older"), r.out());
        assertEquals("fails", plan.get("preconditions").get(0).get("state").asText());
        assertTrue(plan.get("preconditions").get(0).get("values").toString().contains("inputs.max_age = 26h"));
        assertTrue(plan.get("touches").toString().contains("PostgreSQL database shop on db.internal:6543"), r.out());
        assertEquals("Find the newest database backup", plan.get("sections").get(0).get("waves").get(0).get(0).get("name").asText());
        JsonNode location = plan.get("inputHelp").get(0);
        assertEquals("location", location.get("name").asText());
        assertEquals("given", location.get("source").asText());
        assertEquals("where the backups are", location.get("description").asText());
    }
}
