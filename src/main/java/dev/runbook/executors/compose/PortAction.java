package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.util.List;
import java.util.Optional;

/**
 * {@code compose.port}: the host address and port a service's container port is published on
 * ({@code docker-compose port SERVICE PORT}), read from the Docker Engine API so that an
 * ephemeral port ({@code "127.0.0.1::5432"}) can be used by later steps (psql, http checks).
 */
final class PortAction implements Action {

    static final ParamSpec PORT = ParamSpec.required("port", ParamType.INT, "the container port, e.g. 5432");

    @Override
    public String name() {
        return "port";
    }

    @Override
    public String summary() {
        return "Find the host address and port a service's container port is published on";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, ComposeParams.SERVICE, PORT);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("host", ParamType.STRING, "address to connect to from this machine (127.0.0.1 for a wildcard binding)"),
                OutputSpec.of("port", ParamType.INT, "the published host port"));
    }

    @Override
    public String describe(Params params) {
        return "find the host port that container port " + params.display("port") + " of service "
                + params.display("service") + " of " + ComposeProject.display(params) + " is published on";
    }

    @Override
    public Optional<String> probe(Params params, StepContext context) throws Exception {
        try (ComposeSession session = ComposeSession.open(params, context)) {
            return Optional.of(find(session, params.string("service"), (int) params.integer("port", 0))
                    .map(p -> "published on " + p.hostIp() + ":" + p.port()).orElse("not published (yet)"));
        }
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        String service = params.string("service");
        int port = (int) params.integer("port", 0);
        try (ComposeSession session = ComposeSession.open(params, context)) {
            String project = session.project().name();
            List<ServiceStatus> running = session.statuses(service, false).stream()
                    .filter(s -> "running".equals(s.state())).toList();
            if (running.isEmpty()) {
                throw new StepFailure("service " + service + " of compose project " + project
                        + " has no running container, so port " + port + " is not published; start it first "
                        + "(compose.up / service.up with services: [" + service + "])", false, null);
            }
            DockerEngine.PublishedPort published = find(session, service, port).orElseThrow(() -> new StepFailure(
                    "port " + port + " of service " + service + " of compose project " + project
                            + " is not published to the host; add `ports: [\"127.0.0.1::" + port + "\"]` to the service "
                            + "in the compose file (an empty host port lets Docker pick a free one)", false, null));
            String host = connectable(published.hostIp());
            context.log().info("container port " + port + " of " + running.get(0).container() + " is published on "
                    + host + ":" + published.port());
            return Outputs.none().put("host", host).put("port", (long) published.port());
        }
    }

    private static Optional<DockerEngine.PublishedPort> find(ComposeSession session, String service, int port) {
        for (ServiceStatus s : session.statuses(service, false)) {
            if ("running".equals(s.state())) {
                Optional<DockerEngine.PublishedPort> p = session.engine().publishedPort(s.containerId(), port);
                if (p.isPresent()) {
                    return p;
                }
            }
        }
        return Optional.empty();
    }

    /** A wildcard binding (0.0.0.0, ::, empty) is reached through the loopback address. */
    static String connectable(String hostIp) {
        if (hostIp == null || hostIp.isBlank() || "0.0.0.0".equals(hostIp) || "::".equals(hostIp)) {
            return "127.0.0.1";
        }
        return hostIp;
    }
}
