package dev.runbook.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock itself; the CLI side (exit code 4, two runs at once) is in dev.runbook.cli.RunLockCliTest. */
class RunLockTest {

    @TempDir
    Path dir;

    @Test
    void aHeldLockNamesItsHolderAndIsFreeAfterClose() throws Exception {
        RunLock.HeldException held;
        try (RunLock lock = RunLock.acquire(dir, "restore", "compose", "run R1, pid 4242 on host-a")) {
            held = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(dir, "restore", "compose", "run R2"));
            // another target or another runbook is not blocked
            RunLock.acquire(dir, "restore", "kubernetes", "run R3").close();
            RunLock.acquire(dir, "backup", "compose", "run R4").close();
        }
        assertTrue(held.getMessage().contains("run R1, pid 4242 on host-a"), held.getMessage());
        assertTrue(held.getMessage().contains("'restore'") && held.getMessage().contains("'compose'"), held.getMessage());
        RunLock.acquire(dir, "restore", "compose", "run R5").close();
    }
}
