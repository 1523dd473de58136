package dev.runbook.executors.compose;

import com.github.dockerjava.api.model.Container;
import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.util.ArrayList;
import java.util.List;

/** {@code compose.logs}: the last lines a service wrote. */
final class LogsAction implements Action {

    private static final ParamSpec TAIL = ParamSpec.optional("tail", ParamType.INT, 100L, "how many lines per container");

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String summary() {
        return "Show the last log lines of a service";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, ComposeParams.SERVICE, TAIL);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("logs", ParamType.STRING, "the lines, newline-separated"));
    }

    @Override
    public String describe(Params params) {
        return "show the last " + params.display("tail", "100") + " log lines of service "
                + params.display("service") + " of " + ComposeProject.display(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        String service = params.string("service");
        int tail = (int) params.integer("tail", 100);
        try (ComposeSession session = ComposeSession.open(params, context)) {
            session.cli().checkServices(List.of(service));
            List<Container> containers = session.engine().containers(session.project().name(), service, false);
            if (containers.isEmpty()) {
                throw new StepFailure("service " + service + " of compose project " + session.project().name()
                        + " has no container (never started, or removed by down); start it with compose.up");
            }
            List<String> all = new ArrayList<>();
            for (Container c : containers) {
                List<String> lines = session.engine().logs(c.getId(), tail);
                if (containers.size() > 1) {
                    context.log().info(DockerEngine.name(c) + ":");
                }
                lines.forEach(context.log()::output);
                all.addAll(lines);
            }
            return Outputs.none().put("logs", String.join("\n", all));
        }
    }
}
