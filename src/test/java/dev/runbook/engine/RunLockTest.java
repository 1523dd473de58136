package dev.runbook.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lock itself; the CLI side (exit code 4, two runs at once) is in dev.runbook.cli.RunLockCliTest. */
class RunLockTest {

    @TempDir
    Path dir;

    @Test
    void aHeldLockNamesItsHolderAndIsFreeAfterClose() throws Exception {
        Path locks = dir.resolve("state/locks");
        RunLock.Key restore = new RunLock.Key("restore", "/srv/runbooks/restore.yaml", "compose");
        RunLock.HeldException held;
        try (RunLock lock = RunLock.acquire(locks, restore, "run R1 (pid 4242, host host-a)")) {
            held = assertThrows(RunLock.HeldException.class, () -> RunLock.acquire(locks, restore, "run R2"));
            // another target, another runbook, or another file with the same name is not blocked
            RunLock.acquire(locks, new RunLock.Key("restore", "/srv/runbooks/restore.yaml", "kubernetes"), "run R3").close();
            RunLock.acquire(locks, new RunLock.Key("backup", "/srv/runbooks/backup.yaml", "compose"), "run R4").close();
            RunLock.acquire(locks, new RunLock.Key("restore", "/home/me/restore.yaml", "compose"), "run R5").close();
        }
        assertTrue(held.getMessage().contains("run R1 (pid 4242, host host-a)"), held.getMessage());
        assertTrue(held.getMessage().contains("'restore'") && held.getMessage().contains("'compose'"), held.getMessage());
        RunLock.acquire(locks, restore, "run R6").close();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(locks)));
    }

    @Test
    void theHolderNamesRunPidUserHostAndStart() {
        String holder = RunLock.holder("20261204T120000Z-restore-ab12", Map.of("SUDO_USER", "alice-oncall"));
        assertTrue(holder.startsWith("run 20261204T120000Z-restore-ab12 (pid " + ProcessHandle.current().pid() + ", user "), holder);
        assertTrue(holder.contains("sudo by alice-oncall") && holder.contains(", host ") && holder.contains(", started 20"), holder);
    }

    @Test
    void theSameFileReachedByAnotherPathIsTheSameRunbook() throws Exception {
        Path real = Files.createDirectories(dir.resolve("ops/runbooks")).resolve("restore.yaml");
        Files.writeString(real, "name: restore\n");
        Path link = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("ops"));
        String identity = RunbookIdentity.of(real);
        assertEquals(identity, RunbookIdentity.of(link.resolve("runbooks/restore.yaml")));
        assertEquals(identity, RunbookIdentity.of(dir.resolve("ops/runbooks/../runbooks/restore.yaml")));
        assertEquals(real.toRealPath().toString(), identity, "outside a repository the real path is the identity");

        Path other = Files.createDirectories(dir.resolve("elsewhere")).resolve("restore.yaml");
        Files.writeString(other, "name: restore\n");
        assertTrue(!identity.equals(RunbookIdentity.of(other)), "two different files with one name must differ");
    }

    @Test
    void insideAGitRepositoryTheRepositoryAndThePathInItAreTheIdentity() throws Exception {
        Path repo = dir.resolve("repo");
        Files.createDirectories(repo.resolve(".git/worktrees/wt"));
        Files.createDirectories(repo.resolve("runbooks"));
        Files.writeString(repo.resolve("runbooks/restore.yaml"), "name: restore\n");
        // a second worktree of the same repository (`git worktree add`): its .git is a file
        Path worktree = dir.resolve("wt");
        Files.createDirectories(worktree.resolve("runbooks"));
        Files.writeString(worktree.resolve("runbooks/restore.yaml"), "name: restore\n");
        Files.writeString(worktree.resolve(".git"), "gitdir: " + repo.resolve(".git/worktrees/wt") + "\n");
        Files.writeString(repo.resolve(".git/worktrees/wt/commondir"), "../..\n");

        String inRepo = RunbookIdentity.of(repo.resolve("runbooks/restore.yaml"));
        assertEquals("git:" + repo.resolve(".git").toRealPath() + "!runbooks/restore.yaml", inRepo);
        assertEquals(inRepo, RunbookIdentity.of(worktree.resolve("runbooks/restore.yaml")),
                "the same runbook in two worktrees of one repository must be one runbook");
    }
}
