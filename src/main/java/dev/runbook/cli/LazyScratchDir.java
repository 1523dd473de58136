package dev.runbook.cli;

import dev.runbook.spi.PrivateFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The scratch directory of a plan's probes: made (0700) only when a probe asks for it, and
 * removed with all it holds when the plan is made, so `plan --refresh` leaves no temp files.
 */
final class LazyScratchDir implements AutoCloseable {

    private Path dir;

    synchronized Path get() {
        if (dir == null) {
            try {
                dir = PrivateFiles.createTempDirectory("runbook-probe-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a temporary directory for the plan's checks", e);
            }
        }
        return dir;
    }

    synchronized boolean created() {
        return dir != null;
    }

    @Override
    public synchronized void close() {
        PrivateFiles.deleteTree(dir);
    }
}
