package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.util.ArrayList;
import java.util.List;

/** {@code compose.down}: stops and removes the project's containers; deletes volumes only when asked. */
final class DownAction implements Action {

    private static final ParamSpec VOLUMES = ParamSpec.optional("volumes", ParamType.BOOL, false,
            "also delete the project's named volumes (their data is lost)");
    private static final ParamSpec REMOVE_ORPHANS = ParamSpec.optional("remove-orphans", ParamType.BOOL, false,
            "also remove containers of services no longer in the files");

    @Override
    public String name() {
        return "down";
    }

    @Override
    public String summary() {
        return "Stop and remove the project's containers and networks (volumes only with volumes: true)";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, VOLUMES, REMOVE_ORPHANS);
    }

    @Override
    public boolean destructive(Params params) {
        return "true".equals(String.valueOf(params.raw("volumes")));
    }

    @Override
    public String describe(Params params) {
        String text = "stop and remove the containers and networks of " + ComposeProject.display(params);
        return destructive(params) ? text + " and DELETE its named volumes (their data is lost)" : text
                + " (volumes are kept)";
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        boolean volumes = params.bool("volumes", false);
        try (ComposeSession session = ComposeSession.open(params, context)) {
            ComposeCli cli = session.cli();
            String project = session.project().name();
            List<String> args = new ArrayList<>(List.of("down"));
            if (volumes) {
                args.add("--volumes");
            }
            if (params.bool("remove-orphans", false)) {
                args.add("--remove-orphans");
            }
            context.log().info("stopping compose project " + project + (volumes ? " and deleting its volumes" : ""));
            try {
                cli.runOrFail(args, "stopping compose project " + project);
            } catch (StepFailure e) {
                session.showLogs(List.of(), "compose down failed");
                throw e;
            }
            int left = session.statuses(null, true).size();
            if (left > 0) {
                throw new StepFailure("compose down of project " + project + " finished but " + left
                        + " container(s) remain; inspect them with `docker ps -a --filter label="
                        + DockerEngine.PROJECT_LABEL + "=" + project + "`");
            }
            return Outputs.none();
        }
    }
}
