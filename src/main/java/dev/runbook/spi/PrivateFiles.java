package dev.runbook.spi;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;

/**
 * Owner-only files (0600) and directories (0700): run state, journals, scratch files and restored
 * secrets. The one place these modes are written, so no caller forgets one.
 */
public final class PrivateFiles {

    public static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    public static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {
    }

    /** Creates the missing directories up to {@code dir} as 0700; existing ones are left as they are. */
    public static Path createDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return dir;
        }
        createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        return dir;
    }

    /** Creates a new empty 0600 file; fails when it exists. */
    public static Path createFile(Path file) throws IOException {
        return Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE_MODE));
    }

    /** A new 0700 directory under the system's temporary directory. */
    public static Path createTempDirectory(String prefix) throws IOException {
        return Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(DIR_MODE));
    }

    /** Removes a directory and all it holds; best effort (what is left stays owner-only). */
    public static void deleteTree(Path dir) {
        if (dir == null || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort, see above
                }
            });
        } catch (IOException ignored) {
            // best effort, see above
        }
    }

    /**
     * Puts {@code source}'s bytes at {@code target} as a 0600 file: copied to a hidden sibling
     * first and renamed over the target, so a reader never sees half a secret.
     */
    public static void install(Path source, Path target) throws IOException {
        createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, FILE_MODE);
            replace(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Moves {@code from} over {@code to} in one step where the file system can (a reader sees the
     * old file or the new one, never half of it). For any file, private or not.
     */
    public static void replace(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Narrows an existing file to 0600; true when it was looser. */
    public static boolean restrict(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (mode.equals(FILE_MODE)) {
            return false;
        }
        Files.setPosixFilePermissions(file, FILE_MODE);
        return true;
    }
}
