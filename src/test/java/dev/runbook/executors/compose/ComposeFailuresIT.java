package dev.runbook.executors.compose;

import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Failures an on-call engineer meets, on a real engine: what the step says and shows. */
class ComposeFailuresIT {

    private static final String YAML = """
            version: "2.4"
            services:
              sick:
                image: runbook-test/busybox:latest
                init: true
                command: ["sh", "-c", "echo sick-boot-marker; exec sleep 3600"]
                healthcheck:
                  test: ["CMD", "sh", "-c", "echo db-not-accepting-connections; exit 1"]
                  interval: 1s
                  retries: 1000
              crashing:
                image: runbook-test/busybox:latest
                init: true
                command: ["sh", "-c", "echo FATAL bad-config-marker; sleep 1; exit 2"]
                healthcheck:
                  test: ["CMD", "false"]
                  interval: 1s
                  retries: 1000
            """;

    private static ComposeTestProject project;

    @BeforeAll
    static void createProject() throws Exception {
        project = new ComposeTestProject("rbit-fail", YAML);
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (project != null) {
            project.close();
        }
    }

    @Test
    void healthcheckThatNeverPassesFailsAtTheEndOfTheWindowWithLogs() {
        RecordingStepContext ctx = project.context();
        long start = System.nanoTime();
        StepFailure f = assertThrows(StepFailure.class, () -> new UpAction().execute(Params.of(project.params(
                "services", List.of("sick"), "wait", true, "within", "6s")), ctx));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds >= 6 && seconds < 25, "took " + seconds + "s");
        assertTrue(f.getMessage().contains("sick") && f.getMessage().contains("not ready after 6.0s"), f.getMessage());
        assertTrue(f.getMessage().contains("db-not-accepting-connections"), "last healthcheck output: " + f.getMessage());
        assertTrue(ctx.transcript().contains("out: sick-boot-marker"), "service logs in transcript: " + ctx.transcript());
    }

    @Test
    void serviceThatExitsFailsFastWithItsLogs() {
        RecordingStepContext ctx = project.context();
        long start = System.nanoTime();
        StepFailure f = assertThrows(StepFailure.class, () -> new UpAction().execute(Params.of(project.params(
                "services", List.of("crashing"), "wait", true, "within", "2m")), ctx));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < 30, "failed fast, not after the 2m window: " + seconds + "s");
        assertTrue(f.getMessage().contains("crashing") && f.getMessage().contains("exited (code 2)"), f.getMessage());
        assertTrue(ctx.transcript().contains("out: FATAL bad-config-marker"), ctx.transcript());
    }

    @Test
    void upOfAnUnknownServiceNamesTheServicesInTheFilesAndStartsNothing() throws Exception {
        RecordingStepContext ctx = project.context();
        StepFailure f = assertThrows(StepFailure.class, () -> new UpAction().execute(Params.of(project.params(
                "services", List.of("postgres"))), ctx));
        assertTrue(f.getMessage().contains("unknown service postgres"), f.getMessage());
        assertTrue(f.getMessage().contains("sick") && f.getMessage().contains("crashing"), f.getMessage());
    }

    @Test
    void noEngineIsReportedBeforeAnythingChanges() throws Exception {
        List<String> before = project.containerNames();
        RecordingStepContext ctx = project.context().env("DOCKER_HOST", "unix:///nonexistent.sock");
        StepFailure f = assertThrows(StepFailure.class, () -> new UpAction().execute(Params.of(project.params(
                "services", List.of("sick"))), ctx));
        assertTrue(f.getMessage().contains("DOCKER_HOST=unix:///nonexistent.sock"), f.getMessage());
        assertTrue(f.getMessage().contains("dockerd"), f.getMessage());
        assertTrue(f.getMessage().contains("Nothing was changed"), f.getMessage());
        // the check came first: compose was never started (it logs "starting ..." before it runs)
        assertEquals("", ctx.transcript());
        assertEquals(before, project.containerNames());
    }
}
