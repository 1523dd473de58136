package dev.runbook.executors.compose;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Target;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The happy path on a real Docker engine with the real docker-compose: up with wait, ps,
 * exec (output, exit codes, secret env), run, logs, down. One project for the class, torn
 * down afterwards whatever happens.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeLifecycleIT {

    private static final String YAML = """
            version: "2.4"
            services:
              web:
                image: runbook-test/busybox:latest
                init: true
                command: ["sh", "-c", "echo web-boot-marker; mkdir -p /www; echo ok > /www/index.html; exec httpd -f -p 8080 -h /www"]
                healthcheck:
                  test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]
                  interval: 1s
                  timeout: 2s
                  retries: 30
              worker:
                image: runbook-test/busybox:latest
                init: true
                command: ["sleep", "3600"]
            """;

    private static ComposeTestProject project;

    @BeforeAll
    static void createProject() throws Exception {
        project = new ComposeTestProject("rbit-life", YAML);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (project != null) {
            project.close();
        }
    }

    @Test
    @Order(1)
    void detectsComposeV1WhenThereIsNoV2Plugin() throws Exception {
        ComposeCli.Binary binary = ComposeCli.detect(System.getenv());
        // this machine has Debian's docker-compose 1.29 and no `docker compose` plugin
        assertEquals(1, binary.command().size(), binary.toString());
        assertTrue(binary.command().get(0).endsWith("/docker-compose"), binary.toString());
        assertTrue(binary.version().startsWith("1."), binary.version());
        assertTrue(binary.label().startsWith("docker-compose 1."), binary.label());
    }

    @Test
    @Order(2)
    void upWithWaitReturnsOnceTheServiceIsHealthy() throws Exception {
        RecordingStepContext ctx = project.context();
        Outputs out = new UpAction().execute(Params.of(project.params(
                "services", List.of("web", "worker"), "wait", true, "within", "60s")), ctx);
        Map<?, ?> services = (Map<?, ?>) out.asMap().get("services");
        Map<?, ?> web = (Map<?, ?>) services.get("web");
        assertEquals("running", web.get("state"));
        assertEquals("healthy", web.get("health"));
        Map<?, ?> worker = (Map<?, ?>) services.get("worker");
        assertEquals("running", worker.get("state"));
        assertEquals("none", worker.get("health"));
        assertTrue(ctx.transcript().contains("info: services ready: 2 of 2"), ctx.transcript());
        assertTrue(ctx.transcript().contains("web: running (healthy)"), ctx.transcript());
    }

    @Test
    @Order(3)
    void psReportsStateAndHealthPerService() throws Exception {
        RecordingStepContext ctx = project.context();
        Outputs out = new PsAction().execute(Params.of(project.params()), ctx);
        Map<?, ?> services = (Map<?, ?>) out.asMap().get("services");
        assertEquals(2, services.size(), services.toString());
        // ps reports Docker's own record: up's wait may have run the healthcheck itself ahead of
        // Docker's first scheduled run (1 s after start), so Docker may still say starting
        Map<?, ?> web = (Map<?, ?>) services.get("web");
        assertEquals("running", web.get("state"));
        assertTrue(List.of("healthy", "starting").contains(web.get("health")), web.toString());
        assertEquals(List.of(project.name + "_worker_1"), ((Map<?, ?>) services.get("worker")).get("containers"));
    }

    @Test
    @Order(4)
    void projectAndFilesComeFromTheComposeTarget() throws Exception {
        RecordingStepContext ctx = project.context().target(new Target("compose",
                Map.of("project", project.name, "files", List.of("docker-compose.yml"))));
        Outputs out = new PsAction().execute(Params.of(Map.of()), ctx);
        assertTrue(((Map<?, ?>) out.asMap().get("services")).containsKey("web"));
    }

    @Test
    @Order(5)
    void execStreamsOutputAndReturnsIt() throws Exception {
        RecordingStepContext ctx = project.context();
        Outputs out = new ExecAction().execute(Params.of(project.params("service", "web",
                "command", List.of("sh", "-c", "echo hello-from-exec; echo warn-on-stderr >&2"))), ctx);
        assertTrue(ctx.lines.contains("out: hello-from-exec"), ctx.transcript());
        assertTrue(ctx.lines.contains("out: warn-on-stderr"), ctx.transcript());
        assertEquals(0L, out.asMap().get("exit-code"));
        assertTrue(out.asMap().get("output").toString().contains("hello-from-exec"));
    }

    @Test
    @Order(6)
    void execWithNonZeroExitFailsWithTheCodeAndOutputTail() throws Exception {
        RecordingStepContext ctx = project.context();
        StepFailure f = assertThrows(StepFailure.class, () -> new ExecAction().execute(Params.of(project.params(
                "service", "web", "command", List.of("sh", "-c", "echo migration-broke; exit 3"))), ctx));
        assertTrue(f.getMessage().contains("exited with code 3"), f.getMessage());
        assertTrue(f.getMessage().contains("migration-broke"), f.getMessage());
        assertTrue(f.getMessage().contains("service web"), f.getMessage());
        // the service's own log follows, for the on-call engineer
        assertTrue(ctx.transcript().contains("out: web-boot-marker"), ctx.transcript());
    }

    @Test
    @Order(13)
    void secretEnvReachesTheProcessButNotTheTranscript() throws Exception {
        String secret = "s3cr3t-token-" + System.nanoTime();
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(secret.getBytes(StandardCharsets.UTF_8)));
        RecordingStepContext ctx = project.context();
        Params params = Params.of(project.params("service", "web",
                "command", List.of("sh", "-c", "printf %s \"$TOKEN\" | sha256sum"),
                "env", Map.of("TOKEN", new Secret(secret))));
        String plan = new ExecAction().describe(params);
        Outputs out = new ExecAction().execute(params, ctx);
        assertTrue(ctx.transcript().contains(hash), "the process saw the secret: " + ctx.transcript());
        assertFalse(ctx.transcript().contains(secret), ctx.transcript());
        assertFalse(plan.contains(secret), plan);
        assertTrue(plan.contains("with env TOKEN"), plan);
        assertFalse(out.asMap().toString().contains(secret));
        assertTrue(ctx.secrets.contains(secret), "registered for masking");
    }

    @Test
    @Order(7)
    void execFeedsAnInputFileToStdinAndTheCommandSeesEndOfFile() throws Exception {
        java.nio.file.Path dump = project.dir.resolve("dump.sql");
        java.nio.file.Files.writeString(dump, "line one\nline two\nline three\n");
        String secret = "stdin-path-secret-" + System.nanoTime();
        RecordingStepContext ctx = project.context();
        // wc only prints after end-of-file: a hanging stdin would make this step never finish
        Outputs out = new ExecAction().execute(Params.of(project.params("service", "web",
                "command", List.of("sh", "-c", "wc -l; test \"$TOKEN\" = \"$EXPECTED\" && echo env-ok"),
                "input", "dump.sql",
                "env", Map.of("TOKEN", new Secret(secret), "EXPECTED", new Secret(secret)))), ctx);
        assertTrue(out.asMap().get("output").toString().trim().startsWith("3"), out.asMap().toString());
        assertTrue(ctx.lines.contains("out: env-ok"), ctx.transcript());
        assertFalse(ctx.transcript().contains(secret), ctx.transcript());
    }

    @Test
    @Order(8)
    void execInAServiceThatIsNotInTheFilesNamesTheExistingOnes() {
        RecordingStepContext ctx = project.context();
        StepFailure f = assertThrows(StepFailure.class, () -> new ExecAction().execute(Params.of(project.params(
                "service", "databse", "command", List.of("true"))), ctx));
        assertTrue(f.getMessage().contains("unknown service databse"), f.getMessage());
        assertTrue(f.getMessage().contains("web, worker") || f.getMessage().contains("worker, web"), f.getMessage());
    }

    @Test
    @Order(9)
    void runStartsAOneOffContainerWithSecretEnvAndRemovesIt() throws Exception {
        String secret = "run-secret-" + System.nanoTime();
        RecordingStepContext ctx = project.context();
        Outputs out = new RunAction().execute(Params.of(project.params("service", "worker",
                "command", "test -n \"$PASSWORD\" && echo password-is-set && echo ${#PASSWORD}",
                "shell", true, "env", Map.of("PASSWORD", new Secret(secret)))), ctx);
        assertTrue(ctx.lines.contains("out: password-is-set"), ctx.transcript());
        assertTrue(ctx.lines.contains("out: " + secret.length()), ctx.transcript());
        assertFalse(ctx.transcript().contains(secret), ctx.transcript());
        assertEquals(0L, out.asMap().get("exit-code"));
        assertFalse(project.containerNames().stream().anyMatch(n -> n.contains("_run")), "one-off container removed");
    }

    @Test
    @Order(10)
    void runWithNonZeroExitFails() {
        RecordingStepContext ctx = project.context();
        StepFailure f = assertThrows(StepFailure.class, () -> new RunAction().execute(Params.of(project.params(
                "service", "worker", "command", List.of("sh", "-c", "echo restore-failed; exit 4"))), ctx));
        assertTrue(f.getMessage().contains("exited with code 4"), f.getMessage());
        assertTrue(f.getMessage().contains("restore-failed"), f.getMessage());
    }

    @Test
    @Order(11)
    void logsReturnsTheServiceOutput() throws Exception {
        RecordingStepContext ctx = project.context();
        Outputs out = new LogsAction().execute(Params.of(project.params("service", "web", "tail", 50L)), ctx);
        assertTrue(out.asMap().get("logs").toString().contains("web-boot-marker"), out.asMap().toString());
    }

    @Test
    @Order(12)
    void waitHealthyOnRunningServicesReturnsAtOnce() throws Exception {
        RecordingStepContext ctx = project.context();
        long start = System.nanoTime();
        new WaitHealthyAction().execute(Params.of(project.params("within", "30s")), ctx);
        assertTrue(System.nanoTime() - start < 10_000_000_000L);
    }

    @Test
    @Order(20)
    void downRemovesEveryContainer() throws Exception {
        assertFalse(project.containerNames().isEmpty());
        RecordingStepContext ctx = project.context();
        new DownAction().execute(Params.of(project.params()), ctx);
        assertEquals(List.of(), project.containerNames());
    }
}
