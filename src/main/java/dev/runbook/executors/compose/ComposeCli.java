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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
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

    /** PATH → the Compose found there (or being looked for). */
    private static final Map<String, CompletableFuture<Binary>> DETECTED = new ConcurrentHashMap<>();
    /** Service names per compose configuration (see {@link #services()}). */
    private static final Map<List<Object>, List<String>> SERVICES = new ConcurrentHashMap<>();
    /** Daemon threads: a look-up still running when the CLI exits must not keep it alive. */
    private static final java.util.concurrent.Executor AHEAD = task -> {
        Thread t = new Thread(task, "runbook-compose-detect");
        t.setDaemon(true);
        t.start();
    };

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
     * Starts finding Compose in the background (a process start or two, about 0.4 s for v1),
     * so that the first step that needs it does not wait: called when any compose step opens
     * its session, e.g. the read-only engine check at the start of a run.
     */
    static void detectAhead(Map<String, String> env) {
        String path = env.getOrDefault("PATH", "");
        if (!DETECTED.containsKey(path)) {
            DETECTED.computeIfAbsent(path, p -> CompletableFuture.supplyAsync(() -> probeOrFail(env), AHEAD));
        }
    }

    /**
     * Finds Compose on the run's PATH: {@code docker compose version} first, then
     * {@code docker-compose version}. Cached per PATH value for the life of the JVM (a failure
     * is not: installing Compose and re-running the step must work).
     */
    static Binary detect(Map<String, String> env) throws StepFailure, InterruptedException {
        String path = env.getOrDefault("PATH", "");
        CompletableFuture<Binary> found = DETECTED.computeIfAbsent(path,
                p -> CompletableFuture.supplyAsync(() -> probeOrFail(env), AHEAD));
        try {
            return found.get();
        } catch (ExecutionException e) {
            DETECTED.remove(path, found);
            if (e.getCause() instanceof CompletionException c && c.getCause() instanceof StepFailure f) {
                throw f;
            }
            if (e.getCause() instanceof StepFailure f) {
                throw f;
            }
            throw new StepFailure("cannot find Docker Compose: " + e.getCause(), false, e.getCause());
        }
    }

    private static Binary probeOrFail(Map<String, String> env) {
        try {
            return probe(env);
        } catch (StepFailure e) {
            throw new CompletionException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CompletionException(new StepFailure("interrupted while looking for Docker Compose", false, e));
        }
    }

    private static Binary probe(Map<String, String> env) throws StepFailure, InterruptedException {
        String path = env.getOrDefault("PATH", "");
        List<String> tried = new ArrayList<>();
        Optional<Path> docker = onPath("docker", path);
        if (docker.isPresent()) {
            List<String> cmd = List.of(docker.get().toString(), "compose");
            Optional<String> version = version(cmd, env);
            if (version.isPresent()) {
                return new Binary(cmd, version.get());
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
                return new Binary(cmd, version.get());
            }
            tried.add("`docker-compose version` (" + v1.get() + " did not answer)");
        } else {
            tried.add("`docker-compose` (not on PATH)");
        }
        throw new StepFailure("Docker Compose is not installed: tried " + String.join(" and ", tried)
                + ", PATH=" + path + ". Install the Compose v2 plugin (package docker-compose-plugin) "
                + "or docker-compose v1 (apt-get install docker-compose), then re-run this step.", false, null);
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

    /**
     * The service names declared in the project's compose files ({@code config --services},
     * a Compose process start: about 0.5 s for v1). Kept for the life of the JVM per Compose
     * binary, project arguments, environment and the size and modification time of the compose
     * files and the project's {@code .env}: the steps of one run ask again and again, and an
     * edit to any of those files (a fix before `runbook resume`) asks Compose afresh.
     */
    List<String> services() throws StepFailure, InterruptedException {
        List<Object> key = servicesKey();
        List<String> known = SERVICES.get(key);
        if (known == null) {
            known = listServices();
            SERVICES.put(key, known);
        }
        return known;
    }

    private List<Object> servicesKey() {
        List<Object> key = new ArrayList<>(argv(List.of()));
        key.add(context.env());
        List<Path> files = new ArrayList<>(project.files());
        if (files.isEmpty()) { // Compose's own lookup in the project directory
            for (String name : List.of("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml",
                    "docker-compose.override.yml", "docker-compose.override.yaml", "compose.override.yaml",
                    "compose.override.yml")) {
                files.add(project.projectDir().resolve(name));
            }
        }
        files.add(project.projectDir().resolve(".env"));
        for (Path f : files) {
            key.add(f.toString());
            try {
                key.add(Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
            } catch (java.io.IOException e) {
                key.add("absent");
            }
        }
        return key;
    }

    private List<String> listServices() throws StepFailure, InterruptedException {
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

    /**
     * The services a step acts on: the requested ones, or every service when none is named.
     * Fails with the existing service names when a requested one is not in the files, before
     * anything changes. A name found under {@code services:} of the compose files as written is
     * taken as declared without starting Compose (files merge by service name, so the names
     * only add up); anything else, an unparsable file, or no name at all is asked of Compose
     * itself ({@link #services()}), which also gives the error its list of names.
     */
    List<String> checkServices(List<String> requested) throws StepFailure, InterruptedException {
        if (!requested.isEmpty() && declaredInFiles().map(d -> d.containsAll(requested)).orElse(false)) {
            return requested;
        }
        List<String> known = services();
        List<String> unknown = requested.stream().filter(s -> !known.contains(s)).toList();
        if (!unknown.isEmpty()) {
            throw new StepFailure("unknown service" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + " in compose project " + project.name() + "; the compose files define: "
                    + String.join(", ", known), false, null);
        }
        return requested.isEmpty() ? known : requested;
    }

    /** The keys under {@code services:} of the step's compose files, or empty when they cannot be read so. */
    private Optional<java.util.Set<String>> declaredInFiles() {
        if (project.files().isEmpty()) {
            return Optional.empty(); // Compose's own file lookup: let Compose answer
        }
        java.util.Set<String> names = new java.util.HashSet<>();
        for (Path file : project.files()) {
            try (var in = Files.newInputStream(file)) {
                Object doc = new org.yaml.snakeyaml.Yaml(new org.yaml.snakeyaml.constructor.SafeConstructor(
                        new org.yaml.snakeyaml.LoaderOptions())).load(in);
                if (doc instanceof Map<?, ?> top && top.get("services") instanceof Map<?, ?> services) {
                    services.keySet().forEach(k -> names.add(String.valueOf(k)));
                }
            } catch (java.io.IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
        return Optional.of(names);
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
