package dev.runbook.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What makes two runs "of the same runbook", wherever they were started from: the runbook's
 * path inside its git repository plus the repository's location, or, outside a repository, its
 * real absolute path (symbolic links and {@code ..} resolved). Found by looking for the
 * {@code .git} directory (or a worktree's {@code .git} file): no git binary is needed. The
 * worktrees of one repository share its location, so the same runbook checked out twice in one
 * repository is one runbook: both copies act on the same systems.
 */
public final class RunbookIdentity {

    private RunbookIdentity() {
    }

    public static String of(Path file) {
        Path real = realPath(file);
        for (Path dir = real.getParent(); dir != null; dir = dir.getParent()) {
            Path dotGit = dir.resolve(".git");
            if (Files.isDirectory(dotGit) || Files.isRegularFile(dotGit)) {
                return "git:" + repositoryLocation(dir, dotGit) + "!" + dir.relativize(real);
            }
        }
        return real.toString();
    }

    /** The repository's git directory; for a worktree (a {@code .git} file), the main one it belongs to. */
    private static Path repositoryLocation(Path workTree, Path dotGit) {
        if (Files.isDirectory(dotGit)) {
            return realPath(dotGit);
        }
        try {
            String line = Files.readString(dotGit, StandardCharsets.UTF_8).trim();
            if (!line.startsWith("gitdir:")) {
                return realPath(dotGit);
            }
            Path gitDir = workTree.resolve(line.substring("gitdir:".length()).trim()).normalize();
            Path common = gitDir.resolve("commondir");
            if (Files.isRegularFile(common)) {
                gitDir = gitDir.resolve(Files.readString(common, StandardCharsets.UTF_8).trim()).normalize();
            }
            return realPath(gitDir);
        } catch (IOException e) {
            return realPath(dotGit); // unreadable: this work tree alone still names it
        }
    }

    private static Path realPath(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }
}
