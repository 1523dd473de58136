package dev.runbook.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two engineers, two shells: real {@code runbook} processes started from different working
 * directories, reaching the same runbook by different paths (one through a symbolic link).
 * The second is refused with exit 4 naming the first, leaves no run behind, and the history
 * is the same from anywhere.
 */
class StateAcrossDirectoriesIT {

    @TempDir
    Path dir;

    @Test
    void aSecondRunFromAnotherDirectoryIsRefusedNamingTheHolder() throws Exception {
        Path ops = Files.createDirectories(dir.resolve("ops"));
        Files.writeString(ops.resolve("long.yaml"), """
                name: long
                steps:
                  - id: wait
                    uses: test.sleep
                    with: { for: 60s }
                """);
        Path link = Files.createSymbolicLink(dir.resolve("shared"), ops);
        Path otherShell = Files.createDirectories(dir.resolve("home/somewhere"));
        Map<String, String> env = Map.of("HOME", dir.resolve("home").toString());
        Path runs = dir.resolve("home/.local/state/runbook/runs");

        Process first = RunbookProcess.in(ops, env, "run", "long.yaml").start();
        try {
            String holder = RunbookProcess.awaitStarted(runs, "wait", first);

            Process second = RunbookProcess.in(otherShell, env, "run", link.resolve("long.yaml").toString()).start();
            String output = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(second.waitFor(60, TimeUnit.SECONDS), "the second run did not end");
            assertEquals(ExitCodes.LOCKED, second.exitValue(), output);
            assertTrue(output.contains("run " + holder + " (pid " + first.pid() + ", user "), output);
            assertTrue(first.isAlive(), "the first run ended before the second was refused: the test proves nothing");
            try (var listed = Files.list(runs)) {
                assertEquals(List.of(holder), listed.map(p -> p.getFileName().toString()).toList(),
                        "the refused run left a run directory");
            }

            Process runsElsewhere = RunbookProcess.in(otherShell, env, "runs").start();
            String history = new String(runsElsewhere.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(runsElsewhere.waitFor(60, TimeUnit.SECONDS));
            assertTrue(history.contains(holder), "another directory does not see the run: " + history);
        } finally {
            first.destroy(); // SIGTERM: the run records its interruption and releases the lock
            assertTrue(first.waitFor(60, TimeUnit.SECONDS), "the first run did not end on SIGTERM");
        }
    }
}
