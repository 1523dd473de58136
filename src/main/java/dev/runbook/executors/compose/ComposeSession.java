package dev.runbook.executors.compose;

import com.github.dockerjava.api.model.Container;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * What one compose step works with: the project, a pinged engine connection and (on first
 * use) the detected Compose CLI. Opening it checks the engine before anything changes.
 */
final class ComposeSession implements AutoCloseable {

    /** How many log lines of each involved service a failed step shows. */
    static final int FAILURE_LOG_LINES = 100;

    private final ComposeProject project;
    private final DockerEngine engine;
    private final StepContext context;
    private ComposeCli cli;

    private ComposeSession(ComposeProject project, DockerEngine engine, StepContext context) {
        this.project = project;
        this.engine = engine;
        this.context = context;
    }

    static ComposeSession open(Params params, StepContext context) throws StepFailure {
        ComposeProject project = ComposeProject.resolve(params, context);
        DockerEngine engine = DockerEngine.connect(context);
        ComposeCli.detectAhead(context.env()); // ready by the time a later step runs Compose
        return new ComposeSession(project, engine, context);
    }

    ComposeProject project() {
        return project;
    }

    DockerEngine engine() {
        return engine;
    }

    ComposeCli cli() throws StepFailure, InterruptedException {
        if (cli == null) {
            cli = ComposeCli.forProject(project, context);
        }
        return cli;
    }

    /** Current state of the project's containers (one-off ones only when asked). */
    List<ServiceStatus> statuses(String service, boolean includeOneOff) {
        List<ServiceStatus> out = new ArrayList<>();
        for (Container c : engine.containers(project.name(), service, includeOneOff)) {
            out.add(engine.status(c));
        }
        return out;
    }

    /** service → {state, health, containers}, for the {@code services} output. */
    static Map<String, Object> servicesOutput(List<ServiceStatus> statuses) {
        Map<String, List<ServiceStatus>> byService = new LinkedHashMap<>();
        statuses.forEach(s -> byService.computeIfAbsent(s.service(), k -> new ArrayList<>()).add(s));
        Map<String, Object> out = new LinkedHashMap<>();
        byService.forEach((service, list) -> {
            // the least ready container speaks for the service
            ServiceStatus worst = list.stream().filter(s -> !s.ready()).findFirst().orElse(list.get(0));
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("state", worst.state());
            entry.put("health", worst.health());
            entry.put("containers", list.stream().map(ServiceStatus::container).toList());
            out.put(service, entry);
        });
        return out;
    }

    /**
     * Writes the last log lines of the given services (all of the project's when empty) into
     * the step log: after a failure this is what the on-call engineer needs to see first.
     * Never throws: it runs while another failure is being reported.
     */
    void showLogs(List<String> services, String why) {
        try {
            List<String> names = new ArrayList<>(services);
            if (names.isEmpty()) {
                LinkedHashSet<String> all = new LinkedHashSet<>();
                engine.containers(project.name(), null, false)
                        .forEach(c -> all.add(c.getLabels().getOrDefault(DockerEngine.SERVICE_LABEL, "?")));
                names.addAll(all);
            }
            for (String service : names) {
                List<Container> containers = engine.containers(project.name(), service, false);
                if (containers.isEmpty()) {
                    context.log().warn("service " + service + " has no container to show logs of");
                }
                for (Container c : containers) {
                    List<String> lines = engine.logs(c.getId(), FAILURE_LOG_LINES);
                    context.log().info((lines.size() == 1 ? "the last log line of " : "last " + lines.size() + " log lines of ") + service + " ("
                            + DockerEngine.name(c) + ", " + why + "):");
                    lines.forEach(context.log()::output);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            context.log().warn("could not read the service logs: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        engine.close();
    }
}
