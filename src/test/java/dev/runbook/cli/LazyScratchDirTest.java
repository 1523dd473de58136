package dev.runbook.cli;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `plan --refresh` probes get a private scratch directory that does not outlive the plan. */
class LazyScratchDirTest {

    @Test
    void theDirectoryIsPrivateSharedAndRemovedWithWhatItHolds() throws Exception {
        Path dir;
        try (LazyScratchDir scratch = new LazyScratchDir()) {
            dir = scratch.get();
            assertSame(dir, scratch.get(), "each probe got its own directory");
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            Files.createDirectories(dir.resolve("a/b"));
            Files.writeString(dir.resolve("a/b/probe.txt"), "x");
        }
        assertFalse(Files.exists(dir), "the probes' scratch directory was left behind");
    }

    @Test
    void nothingIsCreatedWhenNoProbeAsks() {
        try (LazyScratchDir scratch = new LazyScratchDir()) {
            assertFalse(scratch.created());
        }
    }

    @Test
    void closingTwiceOrAfterTheDirectoryWentAwayIsHarmless() throws Exception {
        LazyScratchDir scratch = new LazyScratchDir();
        Path dir = scratch.get();
        Files.delete(dir);
        scratch.close();
        scratch.close();
        assertTrue(Files.notExists(dir));
    }
}
