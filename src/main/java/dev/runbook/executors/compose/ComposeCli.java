package dev.runbook.executors.compose;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.StepLog;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Runs the real Compose implementation, always from argument arrays: the v2 plugin
 * ({@code docker compose}) when it answers, else the v1 {@code docker-compose}. Which one is
 * found once per JVM (per PATH), since probing costs a process start each.
 */
final class ComposeCli {

    /** The Compose found on this machine: its command prefix and version line. */
    record Binary(List<String> command, String version) {
        Binary {
            command = List.copyOf(command);
        }

        boolean v2() {
            return command.size() > 1;
        }

        String label() {
            return String.join(" ", command.stream().map(c -> Path.of(c).getFileName().toString()).toList())
                    + " " + version;
        }
    }

    private static final Map<String, Binary> DETECTED = new ConcurrentHashMap<>();

    private final Binary binary;
    private final ComposeProject project;
    private final StepContext context;

    ComposeCli(Binary binary, ComposeProject project, StepContext context) {
        this.binary = binary;
        this.project = project;
        this.context = context;
    }

    static ComposeCli forProject(ComposeProject project, StepContext context) throws StepFailure, InterruptedException {
        return new ComposeCli(detect(context.env()), project, context);
    }

    Binary binary() {
        return binary;
    }

    /**
     * Finds Compose on the run's PATH: {@code docker compose version} first, then
     * {@code docker-compose version}. Cached per PATH value for the life of the JVM.
     */
    static Binary detect(Map<String, String> env) throws StepFailure, InterruptedException {
        String path = env.getOrDefault("PATH", "");
        Binary cached = DETECTED.get(path);
        if (cached != null) {
            return cached;
        }
        List<String> tried = new ArrayList<>();
        Optional<Path> docker = onPath("docker", path);
        if (docker.isPresent()) {
            List<String> cmd = List.of(docker.get().toString(), "compose");
            Optional<String> version = version(cmd, env);
            if (version.isPresent()) {
                return remember(path, new Binary(cmd, version.get()));
            }
            tried.add("`docker compose version` (" + docker.get() + ": no compose plugin)");
        } else {
            tried.add("`docker compose` (no `docker` on PATH)");
        }
        Optional<Path> v1 = onPath("docker-compose", path);
        if (v1.isPresent()) {
            List<String> cmd = List.of(v1.get().toString());
            Optional<String> version = version(cmd, env);
            if (version.isPresent()) {
                return remember(path, new Binary(cmd, version.get()));
            }
            tried.add("`docker-compose version` (" + v1.get() + " did not answer)");
        } else {
            tried.add("`docker-compose` (not on PATH)");
        }
        throw new StepFailure("Docker Compose is not installed: tried " + String.join(" and ", tried)
                + ", PATH=" + path + ". Install the Compose v2 plugin (package docker-compose-plugin) "
                + "or docker-compose v1 (apt-get install docker-compose), then re-run this step.", false, null);
    }

    private static Binary remember(String path, Binary binary) {
        DETECTED.put(path, binary);
        return binary;
    }

    private static Optional<String> version(List<String> command, Map<String, String> env) throws InterruptedException {
        List<String> argv = new ArrayList<>(command);
        argv.add("version");
        argv.add("--short");
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        try {
            ChildProcess.Result r = ChildProcess.of(argv).env(env)
                    .stdout(in -> readLines(in, out::add))
                    .run(new Discard());
            return r.ok() && !out.isEmpty() ? Optional.of(out.get(0).trim()) : Optional.empty();
        } catch (StepFailure e) {
            return Optional.empty();
        }
    }

    static Optional<Path> onPath(String program, String path) {
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** The full argv for a subcommand of this project: {@code <compose> -p P -f F ... <args>}. */
    List<String> argv(List<String> args) {
        List<String> argv = new ArrayList<>(binary.command());
        argv.addAll(project.selectorArgs());
        argv.addAll(args);
        return argv;
    }

    /**
     * Runs a subcommand with the run's environment (DOCKER_HOST, variables the compose files
     * interpolate) plus {@code extraEnv}; stdout and stderr lines go to {@code lines}.
     */
    ChildProcess.Result run(List<String> args, Map<String, String> extraEnv, Consumer<String> lines)
            throws StepFailure, InterruptedException {
        return ChildProcess.of(argv(args))
                .env(context.env())
                .env(extraEnv)
                .directory(project.projectDir())
                .stdout(in -> readLines(in, lines))
                .run(new LineLog(lines));
    }

    /** Runs a subcommand and fails the step when it exits non-zero. */
    void runOrFail(List<String> args, String what) throws StepFailure, InterruptedException {
        StepLog log = context.log();
        ChildProcess.Result r = run(args, Map.of(), log::output);
        if (!r.ok()) {
            throw new StepFailure(what + " failed: " + String.join(" ", binary.command().stream()
                    .map(c -> Path.of(c).getFileName().toString()).toList()) + " " + args.get(0)
                    + " exited with code " + r.exitCode() + ": " + r.lastError());
        }
    }

    /** The service names declared in the project's compose files ({@code config --services}). */
    List<String> services() throws StepFailure, InterruptedException {
        List<String> out = Collections.synchronizedList(new ArrayList<>());
        List<String> err = Collections.synchronizedList(new ArrayList<>());
        ChildProcess.Result r = ChildProcess.of(argv(List.of("config", "--services")))
                .env(context.env())
                .directory(project.projectDir())
                .stdout(in -> readLines(in, out::add))
                .run(new LineLog(err::add));
        if (!r.ok()) {
            throw new StepFailure("cannot read the compose files of project " + project.name() + ": "
                    + String.join(" / ", err.subList(Math.max(0, err.size() - 5), err.size()))
                    + " (check the files " + project.files() + ")", false, null);
        }
        return out.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** Fails with the existing service names when a requested one is not in the files. */
    List<String> checkServices(List<String> requested) throws StepFailure, InterruptedException {
        List<String> known = services();
        List<String> unknown = requested.stream().filter(s -> !known.contains(s)).toList();
        if (!unknown.isEmpty()) {
            throw new StepFailure("unknown service" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + " in compose project " + project.name() + "; the compose files define: "
                    + String.join(", ", known), false, null);
        }
        return known;
    }

    static void readLines(java.io.InputStream in, Consumer<String> sink) throws java.io.IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        while ((line = r.readLine()) != null) {
            sink.accept(line);
        }
    }

    /** Sends every line ChildProcess would log (stderr) to one consumer. */
    private record LineLog(Consumer<String> lines) implements StepLog {
        @Override public void info(String message) { lines.accept(message); }
        @Override public void warn(String message) { lines.accept(message); }
        @Override public void output(String line) { lines.accept(line); }
        @Override public void progress(String what, long done, long total) { }
    }

    private static final class Discard implements StepLog {
        @Override public void info(String message) { }
        @Override public void warn(String message) { }
        @Override public void output(String line) { }
        @Override public void progress(String what, long done, long total) { }
    }
}
