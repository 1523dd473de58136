package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.Durations;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code compose.up}: starts services detached and optionally waits until they are healthy. */
final class UpAction implements Action {

    @Override
    public String name() {
        return "up";
    }

    @Override
    public String summary() {
        return "Start services (detached) and optionally wait until they are healthy";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, ComposeParams.SERVICES,
                ParamSpec.optional("wait", ParamType.BOOL, false,
                        "wait until each service is healthy (or running, without a healthcheck)"),
                ComposeParams.WITHIN);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("services", ParamType.MAP, "service → {state, health, containers}"));
    }

    @Override
    public String describe(Params params) {
        String text = "start " + ComposeParams.displayServices(params) + " (detached) in "
                + ComposeProject.display(params);
        Object wait = params.raw("wait");
        if (wait != null && !"false".equals(String.valueOf(wait))) {
            text += " and wait until healthy (up to " + params.display("within", "2m") + ")";
        }
        return text;
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        List<String> requested = params.strings("services");
        boolean wait = params.bool("wait", false);
        Duration within = params.duration("within", ComposeParams.DEFAULT_WITHIN);
        try (ComposeSession session = ComposeSession.open(params, context)) {
            ComposeCli cli = session.cli();
            List<String> known = cli.checkServices(requested);
            List<String> targets = requested.isEmpty() ? known : requested;
            String project = session.project().name();
            context.log().info("starting " + String.join(", ", targets) + " in compose project " + project
                    + " with " + cli.binary().label());
            List<String> args = new ArrayList<>(List.of("up", "-d"));
            args.addAll(requested);
            try {
                cli.runOrFail(args, "starting " + String.join(", ", targets) + " in compose project " + project);
            } catch (StepFailure e) {
                session.showLogs(targets, "compose up failed");
                throw e;
            }
            List<ServiceStatus> statuses;
            if (wait) {
                context.log().info("waiting up to " + Durations.format(within) + " for "
                        + String.join(", ", targets) + " to become healthy");
                statuses = HealthWait.await(session, targets, within, context);
            } else {
                statuses = new ArrayList<>();
                for (String service : targets) {
                    statuses.addAll(session.statuses(service, false));
                }
            }
            return Outputs.none().put("services", ComposeSession.servicesOutput(statuses));
        }
    }
}
