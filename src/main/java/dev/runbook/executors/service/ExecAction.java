package dev.runbook.executors.service;

import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code service.exec}: a command (argument array) in a running instance of the service.
 * compose: {@code compose.exec}; kubernetes: {@code kubectl.exec} in a ready pod of the
 * deployment of that name. With {@code start: true} the service is brought up first
 * ({@code compose.up} without waiting; kubernetes: scale to {@code replicas} and wait for the
 * rollout), so the command runs with the service's current configuration: after a fix to
 * {@code .env} or the compose files, a resumed run recreates the container before retrying.
 */
final class ExecAction extends ServiceAction {

    static final ParamSpec COMMAND = ParamSpec.required("command", ParamType.LIST,
            "the command as an argument array, e.g. [alembic, upgrade, head]")
            .ofItems(ParamSpec.element(ParamType.STRING, "one argument"));
    static final ParamSpec ENV = ParamSpec.optional("env", ParamType.MAP, Map.of(),
            "compose only: environment variables for the command; values may be secrets (passed as environment, "
                    + "never shown). On kubernetes set them in the deployment instead").asSensitive()
            .ofValues(ParamSpec.element(ParamType.STRING, "the variable's value"));
    static final ParamSpec START = ParamSpec.optional("start", ParamType.BOOL, false,
            "bring the service up first (compose up -d SERVICE; kubernetes: scale to `replicas` and wait for the "
                    + "rollout) so the command runs in an instance with the current configuration");

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "Run a command in a running service (compose exec / kubectl exec into its deployment)";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ServiceParams.SERVICE, COMMAND, ENV, START, ServiceParams.REPLICAS);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("exit-code", ParamType.INT, "the command's exit code (0 when the step succeeds)"));
    }

    @Override
    List<Invocation> map(Platform platform, Params params) throws StepFailure {
        Object service = params.raw("service");
        boolean start = "true".equals(String.valueOf(params.raw("start")));
        List<Invocation> out = new ArrayList<>();
        if (platform == Platform.COMPOSE) {
            if (start) {
                out.add(Invocation.of(Backends.compose("up"), scope(platform, params,
                        with("services", List.of(service), "wait", false))));
            }
            out.add(Invocation.of(Backends.compose("exec"), scope(platform, params,
                    with("service", service, "command", params.raw("command"), "env", params.raw("env")))));
            return out;
        }
        Object env = params.raw("env");
        if (env != null && !(env instanceof Map<?, ?> m && m.isEmpty())) {
            throw new StepFailure("service.exec on a kubernetes target cannot pass `env` (kubectl exec has no "
                    + "environment option and a command line would show the values); set the variables in deployment/"
                    + Params.display(service) + " (from a Secret) and leave `env` out", false, null);
        }
        if (start) {
            Params one = Params.of(with("services", List.of(service), "namespace", params.raw("namespace")));
            out.addAll(UpAction.scaleThenWait(one, List.of(service),
                    params.raw("replicas") == null ? 1L : params.raw("replicas"), true, "5m"));
        }
        out.add(Invocation.of(Backends.kubectl("exec"), scope(platform, params,
                with("deployment", service, "command", params.raw("command")))));
        return out;
    }

    @Override
    Outputs outputs(Platform platform, List<Outputs> results) {
        Object exit = results.get(results.size() - 1).asMap().get("exit-code");
        return Outputs.none().put("exit-code", exit == null ? 0L : exit);
    }
}
