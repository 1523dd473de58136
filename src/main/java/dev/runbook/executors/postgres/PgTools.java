package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.StepLog;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds pg_dump, psql, pg_restore and pg_dumpall: in {@code bin-dir} when given, else in the
 * newest {@code /usr/lib/postgresql/<major>/bin} (Debian/Ubuntu install several side by side,
 * and the newest client can dump every older server), else on PATH.
 */
final class PgTools {

    static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?");

    private final Path binDir; // null: use PATH

    private PgTools(Path binDir) {
        this.binDir = binDir;
    }

    static PgTools locate(String binDirParam, Map<String, String> env) throws StepFailure {
        if (binDirParam != null) {
            Path dir = Path.of(binDirParam);
            if (!Files.isDirectory(dir)) {
                throw new StepFailure("bin-dir '" + binDirParam + "' is not a directory", false, null);
            }
            return new PgTools(dir);
        }
        return newestDebian(DEBIAN_ROOT).map(PgTools::new).orElseGet(() -> new PgTools(null));
    }

    /** The bin directory of the highest major version under root that has pg_dump. */
    static Optional<Path> newestDebian(Path root) {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(d -> d.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .filter(d -> Files.isExecutable(d.resolve("bin/pg_dump")))
                    .max(Comparator.comparingDouble(d -> Double.parseDouble(d.getFileName().toString())))
                    .map(d -> d.resolve("bin"));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The command to run a tool: an absolute path, or the bare name looked up on PATH. */
    String path(String tool) {
        return binDir == null ? tool : binDir.resolve(tool).toString();
    }

    /** {@code 15.18} from {@code pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)}. */
    String version(String tool, StepLog log) throws StepFailure, InterruptedException {
        StringBuilder out = new StringBuilder();
        ChildProcess.Result r = ChildProcess.of(java.util.List.of(path(tool), "--version"))
                .stdout(in -> out.append(new String(in.readAllBytes(), StandardCharsets.UTF_8)))
                .run(log);
        if (!r.ok()) {
            throw new StepFailure(path(tool) + " --version failed: " + r.lastError(), false, null);
        }
        String text = out.toString().trim();
        int paren = text.indexOf(')');
        String tail = paren >= 0 ? text.substring(paren + 1).trim() : text;
        Matcher m = VERSION.matcher(tail);
        return m.find() ? m.group() : tail;
    }

    /**
     * The line that says what went wrong: the last one with "error:" or "ERROR:" (pg_dump and
     * psql follow it with detail/context lines that say less), else the last line.
     */
    static String errorOf(ChildProcess.Result r) {
        java.util.List<String> lines = r.stderrTail();
        for (int i = lines.size() - 1; i >= 0; i--) {
            String l = lines.get(i);
            // with pg_restore -j the last line only says that a worker died; the worker's own
            // error (the cause) is an earlier line
            if ((l.contains("error:") || l.contains("ERROR:") || l.contains("FATAL:"))
                    && !l.contains("worker process died unexpectedly")) {
                return l.trim();
            }
        }
        return r.lastError();
    }

    /** The major version of a version string: 15 for "15.18", 9 for "9.6.24" (close enough for comparisons). */
    static int major(String version) {
        Matcher m = VERSION.matcher(version == null ? "" : version);
        return m.find() ? Integer.parseInt(m.group(1)) : -1;
    }
}
