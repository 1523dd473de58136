package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code compose.run}: a one-off container of a service ({@code run --rm -T}), removed
 * afterwards. Environment values are handed over as {@code -e NAME} (name only) with the value
 * in Compose's own environment, so secrets stay out of argv.
 */
final class RunAction implements Action {

    @Override
    public String name() {
        return "run";
    }

    @Override
    public String summary() {
        return "Run a command in a one-off container of a service (compose run --rm -T)";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ComposeParams.PROJECT, ComposeParams.FILES, ComposeParams.SERVICE, ComposeParams.COMMAND,
                ComposeParams.SHELL, ComposeParams.ENV, ComposeParams.USER, ComposeParams.WORKDIR);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("exit-code", ParamType.INT, "the command's exit code (0: the step succeeded)"),
                OutputSpec.of("output", ParamType.STRING, "what the command printed (up to 64 KiB)"));
    }

    @Override
    public String describe(Params params) {
        return "run `" + ComposeParams.displayCommand(params) + "`" + ComposeParams.displayEnvNames(params)
                + " in a one-off container of service " + params.display("service") + " of "
                + ComposeProject.display(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        String service = params.string("service");
        List<String> command = ComposeParams.command(params);
        Map<String, String> env = ComposeParams.env(params, context);
        try (ComposeSession session = ComposeSession.open(params, context)) {
            ComposeCli cli = session.cli();
            String project = session.project().name();
            cli.checkServices(List.of(service));
            List<String> args = new ArrayList<>(List.of("run", "--rm", "-T"));
            for (String name : env.keySet()) {
                args.add("-e");
                args.add(name); // the value comes from compose's environment
            }
            if (params.string("user") != null) {
                args.add("--user");
                args.add(params.string("user"));
            }
            if (params.string("workdir") != null) {
                args.add("--workdir");
                args.add(params.string("workdir"));
            }
            args.add(service);
            args.addAll(command);
            context.log().info("running `" + String.join(" ", command) + "` in a one-off container of " + service
                    + (env.isEmpty() ? "" : " with env " + String.join(", ", env.keySet())));
            CommandOutput output = new CommandOutput(context.log());
            ChildProcess.Result result = cli.run(args, env, output);
            if (!result.ok()) {
                session.showLogs(List.of(service), "after the failed one-off command");
                throw new StepFailure("`" + String.join(" ", command) + "` in a one-off container of service " + service
                        + " of compose project " + project + " exited with code " + result.exitCode()
                        + "; last output" + output.tail(), false, null);
            }
            return Outputs.none().put("exit-code", 0L).put("output", output.text());
        }
    }
}
