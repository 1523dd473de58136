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
import java.util.Map;

/**
 * {@code compose.exec}: runs a command in a service's running container through the Docker
 * API (environment values, secrets included, travel in the request body, not in argv).
 * With {@code input} (a local file for the command's stdin) it goes through the CLI's
 * {@code docker exec -i} instead: docker-java's exec never delivers end-of-file on stdin.
 */
final class ExecAction implements Action {

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "Run a command in a running service container";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, ComposeParams.SERVICE, ComposeParams.COMMAND,
                ComposeParams.SHELL, ComposeParams.ENV, ComposeParams.USER, ComposeParams.WORKDIR, INPUT);
    }

    private static final ParamSpec INPUT = ParamSpec.optional("input", ParamType.STRING, null,
            "a local file (relative to the runbook) fed to the command's stdin, e.g. a SQL dump for psql");

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("exit-code", ParamType.INT, "the command's exit code (0: the step succeeded)"),
                OutputSpec.of("output", ParamType.STRING, "what the command printed (stdout and stderr, up to 64 KiB)"));
    }

    @Override
    public String describe(Params params) {
        return "run `" + ComposeParams.displayCommand(params) + "`" + ComposeParams.displayEnvNames(params)
                + (params.has("input") ? " with stdin from " + params.display("input") : "")
                + " in service " + params.display("service") + " of " + ComposeProject.display(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        String service = params.string("service");
        List<String> command = ComposeParams.command(params);
        Map<String, String> env = ComposeParams.env(params, context);
        try (ComposeSession session = ComposeSession.open(params, context)) {
            String project = session.project().name();
            session.cli().checkServices(List.of(service));
            ServiceStatus target = session.statuses(service, false).stream()
                    .filter(s -> "running".equals(s.state())).findFirst()
                    .orElseThrow(() -> new StepFailure("service " + service + " of compose project " + project
                            + " has no running container to run `" + String.join(" ", command)
                            + "` in; start it first (compose.up with services: [" + service + "])"));
            context.log().info("running `" + String.join(" ", command) + "` in " + target.container()
                    + (env.isEmpty() ? "" : " with env " + String.join(", ", env.keySet())));
            CommandOutput output = new CommandOutput(context.log());
            long exit = params.has("input")
                    ? CliExec.run(target.containerId(), command, env, params.string("user"), params.string("workdir"),
                            context.runbookDir().resolve(params.string("input")).normalize(), output, context)
                    : session.engine().exec(target.containerId(), command, env,
                            params.string("user"), params.string("workdir"), output, context);
            if (exit != 0) {
                session.showLogs(List.of(service), "after the failed command");
                throw new StepFailure("`" + String.join(" ", command) + "` in service " + service + " of compose project "
                        + project + " exited with code " + exit + "; last output" + output.tail(), false, null);
            }
            return Outputs.none().put("exit-code", exit).put("output", output.text());
        }
    }
}
