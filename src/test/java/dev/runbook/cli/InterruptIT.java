package dev.runbook.cli;

import dev.runbook.engine.Journal;
import dev.runbook.engine.RunHistory;
import dev.runbook.testsupport.LocalHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ctrl-C as a person gives it: a real {@code runbook} process gets a real SIGINT (from
 * {@code kill}, or typed as ^C on a pseudo-terminal at the approval prompt). The main steps
 * stop, the finally webhook still reaches a real local HTTP server, the summary and the
 * resume hint are printed, the exit code is 130, and {@code runs} and {@code resume} see the
 * run as it is. On the same terminal, a wrong answer at the prompt is asked again.
 */
class InterruptIT {

    @TempDir
    Path dir;
    LocalHttpServer chat;
    Map<String, String> env;

    @BeforeEach
    void start() throws Exception {
        chat = LocalHttpServer.http(n -> LocalHttpServer.Reply.of(200, "{\"ok\":true}"));
        env = Map.of("RUNBOOK_STATE_DIR", dir.resolve("state").toString());
    }

    @AfterEach
    void stop() {
        chat.close();
    }

    private Path runbook(String name, String middle) throws Exception {
        String yaml = "name: " + name + "\n"
                + "steps:\n"
                + "  - id: first\n    uses: test.echo\n    with: { message: first }\n"
                + middle
                + "  - id: after\n    uses: test.echo\n    with: { message: after }\n"
                + "  - id: last\n    uses: test.echo\n    with: { message: last }\n"
                + "finally:\n"
                + "  - id: report\n    uses: http-check.request\n"
                + "    with: { url: \"" + chat.url("/report") + "\", body: { text: \"" + name + " finished\" } }\n";
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    @Test
    void sigintStopsTheRunRunsFinallyAndTheRunCanBeResumed() throws Exception {
        Path file = runbook("interrupt-me", "  - id: long\n    uses: test.sleep\n    with: { for: 60s }\n");
        String runId;
        try (CliProcess run = runUntil(file, false, "▶ long")) {
            run.signal("INT");
            int code = run.await(60);
            String out = run.output();

            assertEquals(130, code, out);
            assertTrue(out.contains("interrupted by Ctrl-C (SIGINT)"), out);
            assertTrue(out.contains("CANCELLED"), "no summary:\n" + out);
            runId = runId(out);
            assertTrue(out.contains("runbook resume " + runId), "no resume hint:\n" + out);
        }
        assertEquals(List.of("/report"), chat.received.stream().map(LocalHttpServer.Received::path).toList(),
                "the finally webhook did not arrive");
        assertTrue(chat.received.get(0).body().contains("interrupt-me finished"));

        List<Map<String, Object>> journal = Journal.read(dir.resolve("state/runs").resolve(runId));
        Map<String, Object> cancelled = event(journal, "run-cancelled");
        assertEquals(120_000, ((Number) cancelled.get("grace_ms")).intValue());
        assertEquals("cancelled", event(journal, "run-finished").get("outcome"));

        CliRunner.Result runs = new CliRunner(dir, env).run("runs");
        assertTrue(runs.out().contains("2/5 done"), "runs must count every step of the runbook:\n" + runs);

        // the operator shortens the step that was cut off and resumes: what was done is kept
        Files.writeString(file, Files.readString(file).replace("for: 60s", "for: 10ms"));
        CliRunner.Result resumed = new CliRunner(dir, env).run("resume", runId);
        assertEquals(0, resumed.code(), resumed.toString());
        assertTrue(resumed.out().contains("earlier attempt"), resumed.toString());
        RunHistory.RunSummary done = new RunHistory(dir.resolve("state")).read(runId).orElseThrow();
        assertEquals("succeeded", done.status());
    }

    @Test
    void sigtermTakesTheSamePathAndExits143() throws Exception {
        Path file = runbook("terminate-me", "  - id: long\n    uses: test.sleep\n    with: { for: 60s }\n");
        try (CliProcess run = runUntil(file, false, "▶ long")) {
            run.signal("TERM");
            int code = run.await(60);
            String out = run.output();

            assertEquals(143, code, out);
            assertTrue(out.contains("interrupted by SIGTERM"), out);
            assertTrue(out.contains("runbook resume " + runId(out)), "no resume hint:\n" + out);
        }
        assertEquals(List.of("/report"), chat.received.stream().map(LocalHttpServer.Received::path).toList(),
                "the finally webhook did not arrive");
    }

    @Test
    void ctrlCAtTheApprovalPromptEndsTheWaitAtOnceAndRunsFinally() throws Exception {
        Path file = runbook("prompt-me", "  - id: wipe\n    uses: test.destroy\n    with: { marker-file: wiped.marker }\n");
        try (CliProcess run = runUntil(file, true, "Type the step id")) {
            long typed = System.nanoTime();
            run.type("\u0003");
            int code = run.await(60);
            long seconds = (System.nanoTime() - typed) / 1_000_000_000L;
            String out = run.output();

            assertTrue(seconds < 10, "Ctrl-C at the prompt took " + seconds + " s to end the run:\n" + out);
            assertEquals(130, code, out);
            assertTrue(out.contains("cancelled at the approval prompt"), out);
            assertTrue(out.contains("CANCELLED"), "no summary:\n" + out);
            assertTrue(out.contains("runbook resume " + runId(out)), "no resume hint:\n" + out);
        }
        assertFalse(Files.exists(dir.resolve("wiped.marker")), "the step ran although nobody approved it");
        assertEquals(List.of("/report"), chat.received.stream().map(LocalHttpServer.Received::path).toList(),
                "the finally webhook did not arrive");
    }

    @Test
    void aWrongAnswerAtThePromptIsAskedAgain() throws Exception {
        Answered a = answerThePrompt("answer-me", "yes", "wipe");

        assertEquals(0, a.code(), a.out());
        assertTrue(a.out().contains("To approve, type exactly: wipe (2 tries left)"), a.out());
        assertTrue(Files.exists(dir.resolve("wiped.marker")), "the approved step did not run");
        assertEquals(Boolean.TRUE, a.approval().get("approved"));
        assertEquals("typed", a.approval().get("how"));
        assertEquals(System.getProperty("user.name"), a.approval().get("user"));
        assertTrue(a.show().contains("approval for wipe: given (typed) by " + System.getProperty("user.name") + " at "), a.show());
    }

    @Test
    void threeWrongAnswersAtThePromptRefuseTheStepExit5AndAreJournaled() throws Exception {
        Answered a = answerThePrompt("refuse-me", "yes", "wipe it", "WIPE");

        assertEquals(5, a.code(), a.out());
        assertTrue(a.out().contains("No matching answer after 3 tries: wipe is not approved."), a.out());
        assertFalse(Files.exists(dir.resolve("wiped.marker")), "the refused step ran");
        assertEquals(Boolean.FALSE, a.approval().get("approved"));
        assertEquals("3 answers did not match the step id", a.approval().get("how"));
        assertEquals(System.getProperty("user.name"), a.approval().get("user"));
        assertTrue(a.show().contains("approval for wipe: refused (3 answers did not match the step id) by "), a.show());
        assertEquals(List.of("/report"), chat.received.stream().map(LocalHttpServer.Received::path).toList(),
                "the finally webhook did not arrive");
    }

    /** How a run ended after answers were typed at its prompt: exit code, output, the journaled approval, `show`. */
    private record Answered(int code, String out, Map<String, Object> approval, String show) {
    }

    /** Runs a runbook whose step {@code wipe} needs approval, on a pseudo-terminal, typing each answer in turn. */
    private Answered answerThePrompt(String name, String... answers) throws Exception {
        Path file = runbook(name, "  - id: wipe\n    uses: test.destroy\n    with: { marker-file: wiped.marker }\n");
        try (CliProcess run = runUntil(file, true, "Type the step id")) {
            for (int i = 0; i < answers.length; i++) {
                run.type(answers[i] + "\r");
                if (i < answers.length - 1) {
                    int left = Approvals.TRIES - i - 1;
                    run.awaitOutput("(" + left + " " + (left == 1 ? "try" : "tries") + " left)", 30);
                }
            }
            int code = run.await(60);
            String out = run.output();
            String runId = runId(out);
            Map<String, Object> approval = event(Journal.read(dir.resolve("state/runs").resolve(runId)), "approval");
            return new Answered(code, out, approval, new CliRunner(dir, env).run("show", runId).toString());
        }
    }

    @Test
    void aSecondCtrlCDuringTheGracePeriodSkipsTheRestOfItAndSaysSo() throws Exception {
        Path file = dir.resolve("twice.yaml");
        Files.writeString(file, "name: twice\n"
                + "steps:\n"
                + "  - id: long\n    uses: test.sleep\n    with: { for: 60s }\n"
                + "finally:\n"
                + "  - id: slow-cleanup\n    uses: test.sleep\n    with: { for: 60s }\n"
                + "  - id: report\n    uses: http-check.request\n    needs: [slow-cleanup]\n"
                + "    with: { url: \"" + chat.url("/report") + "\", body: { text: \"twice finished\" } }\n");
        String runId;
        try (CliProcess run = runUntil(file, false, "▶ long")) {
            run.signal("INT");
            run.awaitOutput("▶ slow-cleanup", 30); // the grace period (2 minutes) has begun
            long second = System.nanoTime();
            run.signal("INT");
            int code = run.await(60);
            long seconds = (System.nanoTime() - second) / 1_000_000_000L;
            String out = run.output();

            assertEquals(130, code, out);
            assertTrue(seconds < 20, "the second Ctrl-C took " + seconds + " s to end the run:\n" + out);
            assertTrue(out.contains("a second Ctrl-C (SIGINT) skipped the rest of the grace period"), out);
            assertTrue(out.contains("CANCELLED"), "no summary:\n" + out);
            runId = runId(out);
            assertTrue(out.contains("runbook resume " + runId), "no resume hint:\n" + out);
        }
        assertEquals(List.of(), chat.received, "a cleanup step started after the grace period was skipped");
        List<Map<String, Object>> journal = Journal.read(dir.resolve("state/runs").resolve(runId));
        assertEquals("a second Ctrl-C (SIGINT) skipped the rest of the grace period", event(journal, "grace-ended").get("reason"));
        Map<String, String> outcomes = new java.util.HashMap<>();
        journal.stream().filter(e -> "step-finished".equals(e.get("event")))
                .forEach(e -> outcomes.put((String) e.get("step"), (String) e.get("outcome")));
        assertEquals("cancelled", outcomes.get("slow-cleanup"), journal.toString());
        assertEquals("skipped", outcomes.get("report"), journal.toString());
        assertEquals("cancelled", event(journal, "run-finished").get("outcome"));
    }

    /** {@code runbook run FILE}, once it printed {@code text}. */
    private CliProcess runUntil(Path file, boolean pty, String text) throws Exception {
        CliProcess run = CliProcess.start(dir, env, pty, "run", file.toString());
        try {
            run.awaitOutput(text, 60);
            return run;
        } catch (Throwable t) {
            run.close();
            throw t;
        }
    }

    private static Map<String, Object> event(List<Map<String, Object>> journal, String name) {
        return journal.stream().filter(e -> name.equals(e.get("event"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " event in " + journal));
    }

    private static String runId(String output) {
        Matcher m = Pattern.compile("\\(run (\\S+)\\)").matcher(output);
        if (!m.find()) {
            throw new AssertionError("no run id in:\n" + output);
        }
        return m.group(1);
    }
}
