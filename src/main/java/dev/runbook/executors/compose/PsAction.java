package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepContext;

import java.util.List;
import java.util.Optional;

/** {@code compose.ps}: the state and health of each service's containers (read-only). */
final class PsAction implements Action {

    private static final ParamSpec ONE_OFF = ParamSpec.optional("include-one-off", ParamType.BOOL, false,
            "also list one-off containers (from compose run)");

    @Override
    public String name() {
        return "ps";
    }

    @Override
    public String summary() {
        return "Show the state and health of the project's services";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, ONE_OFF);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("services", ParamType.MAP, "service → {state, health, containers}"));
    }

    @Override
    public String describe(Params params) {
        return "list the containers, state and health of " + ComposeProject.display(params);
    }

    @Override
    public Optional<String> probe(Params params, StepContext context) throws Exception {
        try (ComposeSession session = ComposeSession.open(params, context)) {
            return Optional.of(summary(session.statuses(null, false)));
        }
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        try (ComposeSession session = ComposeSession.open(params, context)) {
            List<ServiceStatus> statuses = session.statuses(null, params.bool("include-one-off", false));
            if (statuses.isEmpty()) {
                context.log().info("compose project " + session.project().name() + " has no containers");
            }
            statuses.forEach(s -> context.log().info(s.service() + ": " + s.container() + " " + s.summary()));
            return Outputs.none().put("services", ComposeSession.servicesOutput(statuses));
        }
    }

    private static String summary(List<ServiceStatus> statuses) {
        if (statuses.isEmpty()) {
            return "no containers";
        }
        return String.join(", ", statuses.stream().map(s -> s.service() + " " + s.summary()).toList());
    }
}
