package dev.runbook.spi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Runs an external tool from an argument array (never a shell string), the way every executor
 * should: secrets go into the child's environment (never argv), stderr and (by default)
 * stdout are streamed line by line to the step's log, and the process tree is killed when the
 * step is cancelled or interrupted.
 *
 * <pre>{@code
 * int exit = ChildProcess.of(List.of("psql", "-v", "ON_ERROR_STOP=1", "-f", file))
 *         .env("PGPASSWORD", password.value())
 *         .run(context.log());
 * }</pre>
 */
public final class ChildProcess {

    /** Reads the child's stdout; used to stream a dump straight into storage. */
    @FunctionalInterface
    public interface StdoutHandler {
        void handle(InputStream stdout) throws Exception;
    }

    /** Writes the child's stdin; used to stream a dump into psql. The stream is closed afterwards. */
    @FunctionalInterface
    public interface StdinWriter {
        void write(OutputStream stdin) throws Exception;
    }

    private final List<String> argv;
    private final Map<String, String> env = new LinkedHashMap<>();
    private Path workDir;
    private StdoutHandler stdout;
    private StdinWriter stdin;

    private ChildProcess(List<String> argv) {
        this.argv = List.copyOf(argv);
    }

    public static ChildProcess of(List<String> argv) {
        return new ChildProcess(argv);
    }

    public ChildProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public ChildProcess env(Map<String, String> values) {
        env.putAll(values);
        return this;
    }

    public ChildProcess directory(Path dir) {
        this.workDir = dir;
        return this;
    }

    /** Takes the child's stdout instead of logging it. */
    public ChildProcess stdout(StdoutHandler handler) {
        this.stdout = handler;
        return this;
    }

    public ChildProcess stdin(StdinWriter writer) {
        this.stdin = writer;
        return this;
    }

    public List<String> argv() {
        return argv;
    }

    /**
     * Starts the tool and waits for it.
     *
     * @return the exit code
     * @throws StepFailure when the tool cannot be started (not installed) or a stream handler
     *                     fails; the child is killed first
     */
    public Result run(StepLog log) throws StepFailure, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(argv);
        builder.environment().putAll(env);
        if (workDir != null) {
            builder.directory(workDir.toFile());
        }
        if (stdin == null) {
            builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new StepFailure("cannot start '" + argv.get(0) + "': " + e.getMessage()
                    + " (is it installed and on PATH?)", false, e);
        }
        List<String> stderrTail = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        pumps.add(pump("stderr", process.getErrorStream(), line -> {
            synchronized (stderrTail) {
                stderrTail.add(line);
                if (stderrTail.size() > 20) {
                    stderrTail.remove(0);
                }
            }
            log.output(line);
        }, failures));
        if (stdout == null) {
            pumps.add(pump("stdout", process.getInputStream(), log::output, failures));
        } else {
            pumps.add(thread("stdout", () -> {
                try (InputStream in = process.getInputStream()) {
                    stdout.handle(in);
                } catch (Throwable t) {
                    failures.add(t);
                    process.destroyForcibly();
                }
            }));
        }
        if (stdin != null) {
            pumps.add(thread("stdin", () -> {
                try (OutputStream out = process.getOutputStream()) {
                    stdin.write(out);
                } catch (Throwable t) {
                    failures.add(t);
                    process.destroyForcibly();
                }
            }));
        }
        try {
            int exit = process.waitFor();
            for (Thread t : pumps) {
                t.join();
            }
            if (!failures.isEmpty()) {
                Throwable first = failures.get(0);
                if (first instanceof StepFailure sf) {
                    throw sf;
                }
                // the failure is in our end of the stream (the upload, the download), not in the tool
                throw new StepFailure(first.getMessage() == null ? first.toString() : first.getMessage(), first);
            }
            synchronized (stderrTail) {
                return new Result(exit, List.copyOf(stderrTail));
            }
        } catch (InterruptedException e) {
            kill(process);
            for (Thread t : pumps) {
                t.interrupt();
            }
            throw e;
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static Thread pump(String name, InputStream in, Consumer<String> sink, List<Throwable> failures) {
        return thread(name, () -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sink.accept(line);
                }
            } catch (IOException e) {
                // the stream closes when the child is killed: nothing to report
            } catch (RuntimeException e) {
                failures.add(e);
            }
        });
    }

    private static Thread thread(String name, Runnable body) {
        Thread t = new Thread(body, "child-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * @param exitCode   the tool's exit code
     * @param stderrTail its last lines on stderr, for the failure message
     */
    public record Result(int exitCode, List<String> stderrTail) {
        public Result {
            Objects.requireNonNull(stderrTail);
        }

        public boolean ok() {
            return exitCode == 0;
        }

        /** The last stderr line, or a note that there was none. */
        public String lastError() {
            return stderrTail.isEmpty() ? "(no error output)" : stderrTail.get(stderrTail.size() - 1);
        }
    }

}
