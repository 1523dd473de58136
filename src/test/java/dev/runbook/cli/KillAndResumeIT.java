package dev.runbook.cli;

import dev.runbook.engine.Outcome;
import dev.runbook.engine.RunHistory;
import dev.runbook.engine.RunLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real {@code runbook run} process is killed with SIGKILL in the middle of a step: the journal
 * must still be readable, the lock free, and {@code runbook resume} must finish the run without
 * repeating the step that had succeeded.
 */
class KillAndResumeIT {

    @TempDir
    Path dir;

    @Test
    void aRunKilledMidStepResumesWithoutRepeatingFinishedSteps() throws Exception {
        Path runbook = dir.resolve("crash.yaml");
        try (InputStream in = KillAndResumeIT.class.getResourceAsStream("/engine/crash.yaml")) {
            Files.write(runbook, in.readAllBytes());
        }
        Process run = runbook("run", "crash.yaml").start();
        Path runs = dir.resolve(".runbook/runs");
        String runId = RunbookProcess.awaitStarted(runs, "long", run);

        run.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no finally block runs
        assertTrue(run.waitFor(20, TimeUnit.SECONDS), "the killed process did not end");
        assertEquals(128 + 9, run.exitValue(), "the process did not die of SIGKILL");

        RunHistory.RunSummary killed = new RunHistory(dir.resolve(".runbook")).read(runId).orElseThrow();
        assertEquals("interrupted", killed.status(), "a killed run must read as interrupted");
        assertEquals(Outcome.SUCCEEDED, killed.steps().get("first").outcome());
        assertTrue(!killed.steps().containsKey("long"), "the killed step must not look finished");
        assertEquals("1", Files.readString(dir.resolve("first.count")));

        // the kernel released the lock with the process: this JVM can take it
        RunLock.acquire(dir.resolve(".runbook/locks"), RunLock.Key.of("crash", runbook, "local"), "KillAndResumeIT").close();

        // the operator shortens the step (it is the one that was cut off) and resumes
        Files.writeString(runbook, Files.readString(runbook).replace("for: 60s", "for: 10ms"));
        Process resume = runbook("resume", runId).start();
        assertTrue(resume.waitFor(60, TimeUnit.SECONDS), "resume did not finish");
        String output = new String(resume.getInputStream().readAllBytes());
        assertEquals(0, resume.exitValue(), output);

        assertEquals("1", Files.readString(dir.resolve("first.count")), "resume repeated the finished step");
        assertEquals("1", Files.readString(dir.resolve("last.count")));
        RunHistory.RunSummary done = new RunHistory(dir.resolve(".runbook")).read(runId).orElseThrow();
        assertEquals("succeeded", done.status());
        assertEquals(2, done.invocations());
        assertTrue(output.contains("first") && output.contains("earlier attempt"), output);
    }

    private ProcessBuilder runbook(String... args) {
        return RunbookProcess.in(dir, java.util.Map.of("RUNBOOK_STATE_DIR", dir.resolve(".runbook").toString()), args);
    }
}
