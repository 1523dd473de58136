package dev.runbook.engine;

import dev.runbook.spi.PrivateFiles;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps two runs of the same runbook against the same target from running at once, from any
 * working directory: the lock is keyed on the runbook's {@link RunbookIdentity} and the target,
 * and lives in the per-user state directory. An OS file lock: released by the kernel when the
 * holder dies (even by kill -9), so a crash never leaves a stale lock. The file names the
 * holder for the message the second run prints.
 */
public final class RunLock implements AutoCloseable {

    // OS file locks belong to the whole process, and closing any channel on the file drops them;
    // so a second attempt from this same JVM must be refused before it opens the file at all.
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final FileChannel channel;
    private final FileLock lock;
    private final Path file;

    private RunLock(FileChannel channel, FileLock lock, Path file) {
        this.channel = channel;
        this.lock = lock;
        this.file = file;
    }

    /**
     * What is locked.
     *
     * @param runbook  the runbook's name (for the file name and messages)
     * @param identity the runbook's {@link RunbookIdentity}
     */
    public record Key(String runbook, String identity, String target) {

        public static Key of(String runbook, Path file, String target) {
            return new Key(runbook, RunbookIdentity.of(file), target);
        }

        /** Readable, and unique per identity and target (a name-based UUID of both). */
        String fileName() {
            UUID id = UUID.nameUUIDFromBytes((identity + "\n" + target).getBytes(StandardCharsets.UTF_8));
            return safe(runbook) + "@" + safe(target) + "-" + id + ".lock";
        }

        private static String safe(String s) {
            return s.replaceAll("[^A-Za-z0-9._-]", "_");
        }
    }

    /** Another run holds the lock. */
    public static final class HeldException extends Exception {
        public HeldException(String message) {
            super(message);
        }
    }

    /** Who takes the lock, as the refused run will read it: run id, pid, user, host and start time. */
    public static String holder(String runId, Map<String, String> env) {
        String user = System.getProperty("user.name");
        String sudoUser = env.get("SUDO_USER");
        if (sudoUser != null && !sudoUser.isBlank() && !sudoUser.equals(user)) {
            user += " (sudo by " + sudoUser + ")";
        }
        return "run " + runId + " (pid " + ProcessHandle.current().pid() + ", user " + user + ", host " + hostName()
                + ", started " + Instant.now() + ")";
    }

    /**
     * @param holder who is taking it ({@link #holder}), written into the file
     * @throws HeldException when another run holds it; the message names the holder
     */
    public static RunLock acquire(Path lockDir, Key key, String holder) throws IOException, HeldException {
        PrivateFiles.createDirectories(lockDir);
        Path file = lockDir.resolve(key.fileName()).toAbsolutePath().normalize();
        if (!HELD_HERE.add(file)) {
            throw held(key, Files.readString(file, StandardCharsets.UTF_8).trim() + " in this same process", file);
        }
        try {
            return lockFile(file, key, holder);
        } catch (IOException | HeldException | RuntimeException e) {
            HELD_HERE.remove(file);
            throw e;
        }
    }

    private static RunLock lockFile(Path file, Key key, String holder) throws IOException, HeldException {
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
            throw held(key, who.isEmpty() ? "holder unknown (it is starting)" : who, file);
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap((holder + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        channel.force(false);
        return new RunLock(channel, lock, file);
    }

    private static HeldException held(Key key, String who, Path file) {
        return new HeldException("runbook '" + key.runbook() + "' is already running against target '" + key.target()
                + "': " + who + ". Wait for it to finish, or stop it; the lock is " + file
                + " and is released automatically when that process ends. Nothing was started.");
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

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }
}
