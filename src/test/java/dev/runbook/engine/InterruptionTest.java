package dev.runbook.engine;

import dev.runbook.plan.Targets;
import dev.runbook.testsupport.LocalHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.runbook.engine.EngineFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A deadline or an interrupt cancels the main steps, and on-failure and finally still run,
 * within the grace period: the "always notify the channel" webhook reaches a real local HTTP
 * server. A second interrupt, or the end of the grace period, stops the cleanup too, and the
 * journal says what happened to each step.
 */
class InterruptionTest {

    @TempDir
    Path dir;
    EngineFixture fx;
    LocalHttpServer chat;

    @BeforeEach
    void start() throws Exception {
        fx = new EngineFixture(dir);
        chat = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(200, "{\"ok\":true}"));
    }

    @AfterEach
    void stop() {
        chat.close();
    }

    private Path runbook(String name, String head, String cleanupSleep) throws Exception {
        String yaml = "name: " + name + "\n" + head
                + "steps:\n"
                + "  - id: first\n    uses: test.echo\n    with: { message: first }\n"
                + "  - id: long\n    uses: test.sleep\n    with: { for: 60s }\n"
                + "  - id: after\n    uses: test.echo\n    with: { message: after }\n"
                + "on-failure:\n"
                + "  - id: page\n    uses: http-check.request\n"
                + "    with: { url: \"" + chat.url("/page") + "\", body: { text: \"restore FAILED\" } }\n"
                + "finally:\n"
                + (cleanupSleep == null ? "" : "  - id: slow-cleanup\n    uses: test.sleep\n    with: { for: " + cleanupSleep + " }\n")
                + "  - id: report\n    uses: http-check.request\n"
                + (cleanupSleep == null ? "" : "    needs: [slow-cleanup]\n")
                + "    with: { url: \"" + chat.url("/report") + "\", body: { text: \"restore finished\" } }\n";
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void aDeadlineCancelsTheMainStepsAndTheFinallyWebhookStillArrives() throws Exception {
        RunResult result = fx.run(fx.load(runbook("deadline-notify", "deadline: 1s\n", null)));

        assertEquals(Outcome.CANCELLED, result.outcome(), result.toString());
        assertEquals(Outcome.CANCELLED, step(result, "long").outcome(), result.toString());
        assertEquals(Outcome.CANCELLED, step(result, "after").outcome(), "a step after the deadline must not look done");
        assertEquals(Outcome.SUCCEEDED, step(result, "page").outcome(), step(result, "page").toString());
        assertEquals(Outcome.SUCCEEDED, step(result, "report").outcome(), step(result, "report").toString());
        assertEquals(List.of("/page", "/report"), chat.received.stream().map(LocalHttpServer.Received::path).toList());
        assertTrue(chat.received.get(1).body().contains("restore finished"), chat.received.get(1).body());

        Map<String, Object> cancelled = fx.events(result.runId(), "run-cancelled", null).get(0);
        assertTrue(String.valueOf(cancelled.get("reason")).contains("deadline"), cancelled.toString());
        assertEquals(120_000, ((Number) cancelled.get("grace_ms")).intValue(), "the default grace period is 2 minutes");
        assertEquals("succeeded", fx.events(result.runId(), "step-finished", "report").get(0).get("outcome"));
        assertEquals(5, result.steps().size(), "every step ends in one recorded state: " + result.steps());
    }

    @Test
    void theGracePeriodEndsCleanupThatTakesTooLongAndSaysSo() throws Exception {
        Instant start = Instant.now();
        RunResult result = fx.run(fx.load(runbook("grace-runs-out", "deadline: 500ms\ngrace: 1s\n", "60s")));

        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 20, "the grace period did not end the cleanup");
        assertEquals(Outcome.CANCELLED, result.outcome());
        RunResult.StepResult slow = step(result, "slow-cleanup");
        assertEquals(Outcome.CANCELLED, slow.outcome(), slow.toString());
        assertTrue(slow.message().contains("grace period of 1s ran out"), slow.message());
        RunResult.StepResult report = step(result, "report");
        assertEquals(Outcome.SKIPPED, report.outcome(), report.toString());
        assertTrue(report.message().contains("grace period of 1s ran out"), report.message());
        assertEquals(1000, ((Number) fx.events(result.runId(), "run-cancelled", null).get(0).get("grace_ms")).intValue());
        assertFalse(fx.events(result.runId(), "grace-ended", null).isEmpty());
        assertTrue(result.message().contains("grace period of 1s ran out"), result.message());
    }

    @Test
    void aSecondInterruptSkipsWhatIsLeftOfTheGracePeriod() throws Exception {
        var valid = fx.load(runbook("twice", "", "60s"));
        Engine engine = fx.engine();
        CompletableFuture<RunResult> running = CompletableFuture.supplyAsync(() -> {
            try {
                return engine.run(valid, Map.of(), Targets.choose(valid.runbook().target(), null));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        awaitStarted("long");
        assertTrue(engine.interrupt("Ctrl-C (SIGINT)"));
        awaitStarted("slow-cleanup");
        assertTrue(engine.interrupt("Ctrl-C (SIGINT)"));
        RunResult result = running.get(20, TimeUnit.SECONDS);

        assertEquals(Outcome.CANCELLED, result.outcome());
        assertEquals(Outcome.CANCELLED, step(result, "long").outcome());
        assertEquals(Outcome.SUCCEEDED, step(result, "page").outcome(), "on-failure ran in the grace period");
        assertEquals(Outcome.CANCELLED, step(result, "slow-cleanup").outcome());
        RunResult.StepResult report = step(result, "report");
        assertEquals(Outcome.SKIPPED, report.outcome());
        assertTrue(report.message().contains("a second Ctrl-C (SIGINT) skipped the rest of the grace period"), report.message());
        assertTrue(fx.listener.notes().stream().anyMatch(n -> n.contains("skipped the rest of the grace period")),
                fx.listener.notes().toString());
        assertFalse(engine.interrupt("Ctrl-C (SIGINT)"), "no run in progress any more");
    }

    private void awaitStarted(String step) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (fx.listener.startOrder().contains(step)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(step + " did not start; started: " + fx.listener.startOrder());
    }
}
