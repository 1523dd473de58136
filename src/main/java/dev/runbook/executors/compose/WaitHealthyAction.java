package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepContext;

import java.util.List;

/** {@code compose.wait-healthy}: waits (changing nothing) until services are healthy or running. */
final class WaitHealthyAction implements Action {

    @Override
    public String name() {
        return "wait-healthy";
    }

    @Override
    public String summary() {
        return "Wait until services are healthy (or running, without a healthcheck)";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, ComposeParams.SERVICES, ComposeParams.WITHIN);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("services", ParamType.MAP, "service → {state, health, containers}"));
    }

    @Override
    public String describe(Params params) {
        return "wait until " + ComposeParams.displayServices(params) + " of " + ComposeProject.display(params)
                + " are healthy (up to " + params.display("within", "2m") + ")";
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        List<String> requested = params.strings("services");
        try (ComposeSession session = ComposeSession.open(params, context)) {
            List<String> known = session.cli().checkServices(requested);
            List<String> targets = requested.isEmpty() ? known : requested;
            List<ServiceStatus> statuses = HealthWait.await(session, targets,
                    params.duration("within", ComposeParams.DEFAULT_WITHIN), context);
            return Outputs.none().put("services", ComposeSession.servicesOutput(statuses));
        }
    }
}
