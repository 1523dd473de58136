package dev.runbook.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Two runs of the same runbook against the same target: the second fails fast with exit code 4. */
class RunLockCliTest {

    @TempDir
    Path dir;

    @Test
    void aSecondRunIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
        CliRunner cli = new CliRunner(dir, Map.of());
        cli.copy("hold.yaml");
        CompletableFuture<CliRunner.Result> holder = CompletableFuture.supplyAsync(() -> cli.run("run", "hold.yaml"));
        String holderId = awaitStepStarted(dir.resolve(".runbook/runs"));

        Instant start = Instant.now();
        CliRunner.Result second = cli.run("run", "hold.yaml");
        assertEquals(ExitCodes.LOCKED, second.code(), second.toString());
        assertTrue(Duration.between(start, Instant.now()).toMillis() < 1000, "the second run waited instead of failing fast");
        assertTrue(second.err().contains("run " + holderId), "the message does not name the holder's run: " + second.err());
        assertTrue(second.err().contains("pid " + ProcessHandle.current().pid()), "the message does not name the pid: " + second.err());
        assertTrue(holder.isDone() == false, "the holder ended too early for this test to mean anything");

        CliRunner.Result otherTarget = cli.run("run", "hold.yaml", "--target", "compose");
        assertEquals(ExitCodes.OK, otherTarget.code(), "another target was blocked: " + otherTarget);

        assertEquals(ExitCodes.OK, holder.get(30, TimeUnit.SECONDS).code());
        CliRunner.Result after = cli.run("run", "hold.yaml");
        assertEquals(ExitCodes.OK, after.code(), "the lock was not released: " + after);
    }

    /** Waits until a run's journal shows its step started; returns that run's id. */
    static String awaitStepStarted(Path runs) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < until) {
            if (Files.isDirectory(runs)) {
                try (var dirs = Files.list(runs)) {
                    for (Path run : dirs.toList()) {
                        Path journal = run.resolve("journal.jsonl");
                        if (Files.exists(journal) && Files.readString(journal).contains("\"event\":\"step-started\"")) {
                            return run.getFileName().toString();
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no step started within 20 s under " + runs);
    }
}
