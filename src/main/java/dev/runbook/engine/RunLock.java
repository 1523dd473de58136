package dev.runbook.engine;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Keeps two runs of the same runbook against the same target from running at once. An OS
 * file lock: released by the kernel when the holder dies (even by kill -9), so a crash never
 * leaves a stale lock. The file names the holder for the message the second run prints.
 */
public final class RunLock implements AutoCloseable {

    // OS file locks belong to the whole process, and closing any channel on the file drops them;
    // so a second attempt from this same JVM must be refused before it opens the file at all.
    private static final java.util.Set<Path> HELD_HERE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    private final FileLock lock;
    private final Path file;

    private RunLock(FileChannel channel, FileLock lock, Path file) {
        this.channel = channel;
        this.lock = lock;
        this.file = file;
    }

    /** Another run holds the lock. */
    public static final class HeldException extends Exception {
        public HeldException(String message) {
            super(message);
        }
    }

    /**
     * @param holder who is taking it (run id, pid, host, start), written into the file
     * @throws HeldException when another process holds it; the message names the holder
     */
    public static RunLock acquire(Path lockDir, String runbook, String target, String holder) throws IOException, HeldException {
        Files.createDirectories(lockDir);
        Path file = lockDir.resolve(runbook + "@" + target + ".lock").toAbsolutePath().normalize();
        if (!HELD_HERE.add(file)) {
            throw new HeldException("runbook '" + runbook + "' is already running against target '" + target + "': "
                    + Files.readString(file, StandardCharsets.UTF_8).trim() + " (in this same process).");
        }
        try {
            return lockFile(file, runbook, target, holder);
        } catch (IOException | HeldException | RuntimeException e) {
            HELD_HERE.remove(file);
            throw e;
        }
    }

    private static RunLock lockFile(Path file, String runbook, String target, String holder) throws IOException, HeldException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null; // held by this very process
        }
        if (lock == null) {
            String who = Files.readString(file, StandardCharsets.UTF_8).trim();
            channel.close();
            throw new HeldException("runbook '" + runbook + "' is already running against target '" + target + "': "
                    + (who.isEmpty() ? "holder unknown" : who) + ". Wait for it to finish, or stop it; the lock is "
                    + file + " and is released automatically when that process ends.");
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        return new RunLock(channel, lock, file);
    }

    @Override
    public void close() {
        try {
            channel.truncate(0);
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the kernel drops the lock with the process anyway
        } finally {
            HELD_HERE.remove(file);
        }
    }
}
