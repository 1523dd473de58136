package dev.runbook.executors.files;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Owner-only files (0600) and directories (0700), written atomically: they hold secrets. */
final class PrivateFiles {

    static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");

    private PrivateFiles() {
    }

    /** Creates the missing directories up to {@code dir} as 0700; existing ones are left as they are. */
    static void createDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        createDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
    }

    /**
     * Puts {@code source}'s bytes at {@code target} as a 0600 file: copied to a hidden sibling
     * first and renamed over the target, so a reader never sees half a secret.
     */
    static void install(Path source, Path target) throws IOException {
        createDirectories(target.getParent());
        Path tmp = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(FILE_MODE));
        try {
            Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, FILE_MODE);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Narrows an existing file to 0600; true when it was looser. */
    static boolean restrict(Path file) throws IOException {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (mode.equals(FILE_MODE)) {
            return false;
        }
        Files.setPosixFilePermissions(file, FILE_MODE);
        return true;
    }
}
