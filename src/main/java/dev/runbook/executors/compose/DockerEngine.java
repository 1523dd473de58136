package dev.runbook.executors.compose;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.HealthState;
import com.github.dockerjava.api.command.HealthStateLog;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Docker Engine API (through docker-java) for everything Compose has no stable
 * machine-readable answer for across v1 and v2: finding a project's containers by label,
 * state and health, logs, and exec with a clean environment channel for secrets.
 */
final class DockerEngine implements AutoCloseable {

    static final String PROJECT_LABEL = "com.docker.compose.project";
    static final String SERVICE_LABEL = "com.docker.compose.service";
    static final String ONEOFF_LABEL = "com.docker.compose.oneoff";
    static final String DEFAULT_HOST = "unix:///var/run/docker.sock";

    private final DockerClient client;
    private final String host;

    private DockerEngine(DockerClient client, String host) {
        this.client = client;
        this.host = host;
    }

    /**
     * One client per engine address and TLS settings for the life of the JVM: every compose step
     * of a run (and the probes of a plan) shares its connection pool instead of building a client
     * and a connection each. Never closed by a step; the process exit closes the sockets.
     */
    private static final Map<List<String>, DockerClient> CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Connects to the engine named by the run's DOCKER_HOST (default: the local socket) and
     * pings it, so that a missing engine is reported before anything changes.
     */
    static DockerEngine connect(StepContext context) throws StepFailure {
        Map<String, String> env = context.env();
        String host = env.getOrDefault("DOCKER_HOST", "").isBlank() ? DEFAULT_HOST : env.get("DOCKER_HOST");
        List<String> key = java.util.Arrays.asList(host, env.get("DOCKER_TLS_VERIFY"), env.get("DOCKER_CERT_PATH"));
        DockerClient shared = CLIENTS.get(key);
        if (shared != null) {
            try {
                shared.pingCmd().exec();
                return new DockerEngine(shared, host);
            } catch (RuntimeException e) {
                // the engine restarted or went away since: a new client tells which
                CLIENTS.remove(key, shared);
            }
        }
        DockerClient client = newClient(env, host);
        try {
            client.pingCmd().exec();
        } catch (RuntimeException e) {
            closeQuietly(client);
            throw unreachable(host, env.containsKey("DOCKER_HOST") && !env.get("DOCKER_HOST").isBlank(), e);
        }
        DockerClient previous = CLIENTS.putIfAbsent(key, client);
        if (previous != null) { // another step connected at the same time
            closeQuietly(client);
            client = previous;
        }
        return new DockerEngine(client, host);
    }

    private static DockerClient newClient(Map<String, String> env, String host) throws StepFailure {
        DefaultDockerClientConfig.Builder config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(host);
        String tlsVerify = env.get("DOCKER_TLS_VERIFY");
        if (tlsVerify != null && !tlsVerify.isBlank()) {
            config.withDockerTlsVerify(!"0".equals(tlsVerify));
        }
        if (env.get("DOCKER_CERT_PATH") != null) {
            config.withDockerCertPath(env.get("DOCKER_CERT_PATH"));
        }
        try {
            DefaultDockerClientConfig built = config.build();
            // no response timeout: logs and exec streams are long-lived by design
            ApacheDockerHttpClient http = new ApacheDockerHttpClient.Builder()
                    .dockerHost(built.getDockerHost())
                    .sslConfig(built.getSSLConfig())
                    .connectionTimeout(Duration.ofSeconds(10))
                    .build();
            return DockerClientImpl.getInstance(built, http);
        } catch (RuntimeException e) {
            throw new StepFailure("cannot use the Docker engine address " + host + ": " + e.getMessage()
                    + ". Check DOCKER_HOST (unix:///var/run/docker.sock, tcp://host:2376).", false, e);
        }
    }

    private static void closeQuietly(DockerClient client) {
        try {
            client.close();
        } catch (IOException ignored) {
            // nothing useful to do about a failing close of an HTTP client
        }
    }

    private static StepFailure unreachable(String host, boolean fromEnv, RuntimeException e) {
        String where = fromEnv ? "DOCKER_HOST=" + host : "the default socket " + host + " (DOCKER_HOST is not set)";
        String start = host.startsWith("unix://")
                ? "Start the engine on this machine (`systemctl start docker`, or `dockerd &` where there is no "
                  + "systemd) and check that " + host.substring("unix://".length()) + " exists and you may use it"
                : "Check that the engine at " + host + " is running and reachable from here";
        return new StepFailure("no Docker engine reachable at " + where + ": " + rootMessage(e) + ". " + start
                + ", or set DOCKER_HOST to the right engine. Nothing was changed.", true, e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    String host() {
        return host;
    }

    /** The containers of a project (optionally one service), oldest name first; one-off ones only when asked. */
    List<Container> containers(String project, String service, boolean includeOneOff) {
        Map<String, String> labels = new HashMap<>();
        labels.put(PROJECT_LABEL, project);
        if (service != null) {
            labels.put(SERVICE_LABEL, service);
        }
        List<Container> found = new ArrayList<>(client.listContainersCmd().withShowAll(true)
                .withLabelFilter(labels).exec());
        if (!includeOneOff) {
            found.removeIf(c -> "True".equalsIgnoreCase(c.getLabels().getOrDefault(ONEOFF_LABEL, "False")));
        }
        found.sort(Comparator.comparing(DockerEngine::name));
        return found;
    }

    static String name(Container c) {
        String[] names = c.getNames();
        return names == null || names.length == 0 ? c.getId().substring(0, 12) : names[0].replaceFirst("^/", "");
    }

    ServiceStatus status(Container container) {
        InspectContainerResponse inspect = client.inspectContainerCmd(container.getId()).exec();
        InspectContainerResponse.ContainerState state = inspect.getState();
        HealthState health = state.getHealth();
        String healthStatus = health == null || health.getStatus() == null ? ServiceStatus.NO_HEALTHCHECK : health.getStatus();
        String lastCheck = "";
        if (health != null && health.getLog() != null && !health.getLog().isEmpty()) {
            HealthStateLog last = health.getLog().get(health.getLog().size() - 1);
            lastCheck = last.getOutput() == null ? "" : last.getOutput().strip();
        }
        Long exit = state.getExitCodeLong();
        return new ServiceStatus(container.getLabels().getOrDefault(SERVICE_LABEL, "?"), name(container),
                container.getId(), state.getStatus(), healthStatus, exit == null ? 0 : exit, lastCheck);
    }

    /**
     * The container's healthcheck command as an exec argv ({@code CMD} as given, {@code CMD-SHELL}
     * through {@code /bin/sh -c}), or empty when it has none or it is disabled.
     */
    java.util.Optional<List<String>> healthcheckCommand(String containerId) {
        InspectContainerResponse inspect = client.inspectContainerCmd(containerId).exec();
        var config = inspect.getConfig();
        var check = config == null ? null : config.getHealthcheck();
        List<String> test = check == null || check.getTest() == null ? List.of() : check.getTest();
        if (test.size() < 2 || "NONE".equals(test.get(0))) {
            return java.util.Optional.empty();
        }
        if ("CMD".equals(test.get(0))) {
            return java.util.Optional.of(List.copyOf(test.subList(1, test.size())));
        }
        if ("CMD-SHELL".equals(test.get(0))) {
            // Docker runs it with the image's SHELL, /bin/sh -c unless changed (the API does not
            // report it): a shell that differs only makes this check fail, and Docker's own
            // verdict is then waited for
            return java.util.Optional.of(List.of("/bin/sh", "-c", test.get(1)));
        }
        return java.util.Optional.empty();
    }

    /**
     * Runs a check command in the container as Docker's own healthcheck would (the container's
     * user and environment), output discarded: whether it exited 0, or empty when it was still
     * running after {@code within} (it is left to finish on its own; the Docker API cannot stop an exec).
     */
    java.util.Optional<Boolean> passes(String containerId, List<String> command, Duration within) throws InterruptedException {
        String execId = client.execCreateCmd(containerId).withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).withAttachStdin(false).withTty(false)
                .exec().getId();
        ResultCallback.Adapter<Frame> callback = client.execStartCmd(execId).exec(new ResultCallback.Adapter<>());
        try {
            if (!callback.awaitCompletion(within.toMillis(), TimeUnit.MILLISECONDS)) {
                return java.util.Optional.empty();
            }
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // finished or abandoned either way
            }
        }
        Long exit = client.inspectExecCmd(execId).exec().getExitCodeLong();
        return java.util.Optional.of(exit != null && exit == 0);
    }

    /**
     * Where a container port is published on the engine's host: the first binding of
     * {@code port/tcp}, or empty when the port is not published (no {@code ports:} entry).
     */
    java.util.Optional<PublishedPort> publishedPort(String containerId, int port) {
        InspectContainerResponse inspect = client.inspectContainerCmd(containerId).exec();
        var settings = inspect.getNetworkSettings();
        if (settings == null || settings.getPorts() == null) {
            return java.util.Optional.empty();
        }
        var bindings = settings.getPorts().getBindings()
                .get(com.github.dockerjava.api.model.ExposedPort.tcp(port));
        if (bindings == null) {
            return java.util.Optional.empty();
        }
        for (var b : bindings) {
            if (b.getHostPortSpec() != null && !b.getHostPortSpec().isBlank()) {
                return java.util.Optional.of(new PublishedPort(b.getHostIp(), Integer.parseInt(b.getHostPortSpec())));
            }
        }
        return java.util.Optional.empty();
    }

    /** A host address and port a container port is published on, as the engine reports it. */
    record PublishedPort(String hostIp, int port) {
    }

    /** The last {@code tail} lines a container wrote (stdout and stderr, in order). */
    List<String> logs(String containerId, int tail) throws InterruptedException {
        List<String> lines = new ArrayList<>();
        LineSplitter splitter = new LineSplitter(lines::add);
        ResultCallback.Adapter<Frame> callback = client.logContainerCmd(containerId)
                .withStdOut(true).withStdErr(true).withTail(tail)
                .exec(new ResultCallback.Adapter<>() {
                    @Override
                    public void onNext(Frame frame) {
                        synchronized (lines) {
                            splitter.accept(frame);
                        }
                    }
                });
        callback.awaitCompletion(30, TimeUnit.SECONDS);
        synchronized (lines) {
            splitter.flush();
            return List.copyOf(lines);
        }
    }

    /**
     * Runs a command in a running container and streams its output lines. Environment values
     * travel in the exec-create request body, never on a command line.
     *
     * @return the exit code
     */
    long exec(String containerId, List<String> command, Map<String, String> env, String user, String workdir,
              Consumer<String> lines, StepContext context) throws StepFailure, InterruptedException {
        var create = client.execCreateCmd(containerId)
                .withCmd(command.toArray(String[]::new))
                .withAttachStdout(true).withAttachStderr(true).withAttachStdin(false).withTty(false);
        if (!env.isEmpty()) {
            create.withEnv(env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
        }
        if (user != null) {
            create.withUser(user);
        }
        if (workdir != null) {
            create.withWorkingDir(workdir);
        }
        String execId = create.exec().getId();
        LineSplitter splitter = new LineSplitter(lines);
        ResultCallback.Adapter<Frame> callback = client.execStartCmd(execId).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                synchronized (splitter) {
                    splitter.accept(frame);
                }
            }
        });
        try {
            while (!callback.awaitCompletion(500, TimeUnit.MILLISECONDS)) {
                if (context.cancelled()) {
                    throw new StepFailure("cancelled while `" + String.join(" ", command)
                            + "` was running; the Docker API cannot stop an exec: check the container for a "
                            + "leftover process", false, null);
                }
            }
        } finally {
            try {
                callback.close();
            } catch (IOException ignored) {
                // the stream is finished or abandoned either way
            }
        }
        synchronized (splitter) {
            splitter.flush();
        }
        Long exit = client.inspectExecCmd(execId).exec().getExitCodeLong();
        return exit == null ? -1 : exit;
    }

    /** The client is shared (see {@link #CLIENTS}): a step's session leaves it open for the next step. */
    @Override
    public void close() {
        // nothing to release per step
    }

    /**
     * Turns output frames into whole lines, keeping stdout and stderr apart. Works on bytes
     * so a UTF-8 character split across two frames is decoded whole.
     */
    private static final class LineSplitter {
        private final Consumer<String> sink;
        private final Map<StreamType, java.io.ByteArrayOutputStream> partial = new HashMap<>();

        LineSplitter(Consumer<String> sink) {
            this.sink = sink;
        }

        void accept(Frame frame) {
            java.io.ByteArrayOutputStream buf = partial.computeIfAbsent(frame.getStreamType(),
                    t -> new java.io.ByteArrayOutputStream());
            for (byte b : frame.getPayload()) {
                if (b == '\n') {
                    emit(buf);
                } else {
                    buf.write(b);
                }
            }
        }

        void flush() {
            partial.values().forEach(buf -> {
                if (buf.size() > 0) {
                    emit(buf);
                }
            });
        }

        private void emit(java.io.ByteArrayOutputStream buf) {
            String line = buf.toString(StandardCharsets.UTF_8);
            buf.reset();
            sink.accept(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        }
    }
}
