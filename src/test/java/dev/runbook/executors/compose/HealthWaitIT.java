package dev.runbook.executors.compose;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waiting for health on the real engine when Docker's own healthcheck runs rarely (every 60 s
 * here): the wait runs the service's healthcheck itself, so a service ready after 2 s counts as
 * ready then, not a minute later; one that never passes still fails at the end of the window.
 * Also: the cached list of service names follows edits of the compose file.
 */
class HealthWaitIT {

    private static final String YAML = """
            version: "2.4"
            services:
              slow:
                image: runbook-test/busybox:latest
                init: true
                command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 3600"]
                healthcheck:
                  test: ["CMD", "test", "-f", "/tmp/ready"]
                  interval: 60s
                  timeout: 2s
                  retries: 3
              never:
                image: runbook-test/busybox:latest
                init: true
                command: ["sleep", "3600"]
                healthcheck:
                  test: ["CMD-SHELL", "echo not-yet-marker; exit 1"]
                  interval: 60s
                  timeout: 2s
                  retries: 3
              hangs:
                image: runbook-test/busybox:latest
                init: true
                command: ["sleep", "3600"]
                healthcheck:
                  test: ["CMD", "sleep", "47"]
                  interval: 60s
                  timeout: 50s
                  retries: 3
            """;

    private static ComposeTestProject project;

    @BeforeAll
    static void createProject() throws Exception {
        project = new ComposeTestProject("rbit-health", YAML);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (project != null) {
            project.close();
        }
    }

    @Test
    void aServiceReadyAfterTwoSecondsIsSeenReadyLongBeforeDockersNextCheck() throws Exception {
        RecordingStepContext ctx = project.context();
        long start = System.nanoTime();
        Outputs out = new UpAction().execute(Params.of(project.params(
                "services", List.of("slow"), "wait", true, "within", "50s")), ctx);
        double seconds = (System.nanoTime() - start) / 1e9;
        // ready at ~2 s after start; Docker alone would say healthy only at its first check, 60 s in
        assertTrue(seconds >= 2 && seconds < 30, "took " + seconds + "s: " + ctx.transcript());
        Map<?, ?> slow = (Map<?, ?>) ((Map<?, ?>) out.asMap().get("services")).get("slow");
        assertEquals("healthy", slow.get("health"));
        assertTrue(ctx.transcript().contains("slow: running (healthy)"), ctx.transcript());
        // the engine itself has not run the check yet: the readiness came from running it here
        assertEquals("starting", dockerHealth(project.name + "_slow_1"));
    }

    @Test
    void aHealthcheckThatNeverPassesStillFailsAtTheEndOfTheWindow() {
        RecordingStepContext ctx = project.context();
        long start = System.nanoTime();
        StepFailure f = assertThrows(StepFailure.class, () -> new UpAction().execute(Params.of(project.params(
                "services", List.of("never"), "wait", true, "within", "4s")), ctx));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 4 && seconds < 25, "took " + seconds + "s");
        assertTrue(f.getMessage().contains("never") && f.getMessage().contains("not ready after 4.0s"), f.getMessage());
        assertTrue(f.getMessage().contains("running (starting)"), f.getMessage());
    }

    @Test
    void aHealthcheckThatHangsIsRunOnceNotOncePerPoll() throws Exception {
        RecordingStepContext ctx = project.context();
        long start = System.nanoTime();
        StepFailure f = assertThrows(StepFailure.class, () -> new UpAction().execute(Params.of(project.params(
                "services", List.of("hangs"), "wait", true, "within", "8s")), ctx));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 8 && seconds < 30, "took " + seconds + "s");
        assertTrue(f.getMessage().contains("hangs") && f.getMessage().contains("not ready after 8.0s"), f.getMessage());
        // the first run timed out after 5 s and was left running (an exec cannot be stopped); no more were started
        Process p = new ProcessBuilder("docker", "exec", project.name + "_hangs_1", "ps").redirectErrorStream(true).start();
        String ps = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        assertEquals(1, ps.lines().filter(l -> l.contains("sleep 47")).count(), ps);
    }

    @Test
    void theServiceListFollowsAnEditOfTheComposeFile() throws Exception {
        RecordingStepContext ctx = project.context();
        try (ComposeSession session = ComposeSession.open(Params.of(project.params()), ctx)) {
            assertEquals(List.of("hangs", "never", "slow"), session.cli().services().stream().sorted().toList());
            String more = YAML + """
                      later:
                        image: runbook-test/busybox:latest
                        command: ["true"]
                    """;
            Files.writeString(project.file, more, StandardCharsets.UTF_8);
            try {
                assertEquals(List.of("hangs", "later", "never", "slow"), session.cli().services().stream().sorted().toList());
            } finally {
                Files.writeString(project.file, YAML, StandardCharsets.UTF_8);
            }
        }
    }

    private static String dockerHealth(String container) throws Exception {
        Process p = new ProcessBuilder("docker", "inspect", "-f", "{{.State.Health.Status}}", container)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }
}
