package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.Durations;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ContainerResource;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code kubectl exec POD -- COMMAND...}: runs a command (an argument array, never a shell
 * string) in a pod picked by name, selector or deployment, streaming its output into the step
 * log. A non-zero exit fails the step with the exit code and the last error lines. The
 * Kubernetes form of {@code docker compose exec api alembic upgrade head}.
 */
final class ExecAction implements Action {

    static final Duration DEFAULT_WITHIN = Duration.ofMinutes(30);

    private final KubeClientFactory factory;

    ExecAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "Run a command in a pod (by name, selector or deployment) and stream its output";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.required("command", ParamType.LIST, "the command as an argument array, e.g. [alembic, upgrade, head]")
                        .ofItems(ParamSpec.element(ParamType.STRING, "one argument")),
                Pods.POD, Pods.SELECTOR, Pods.DEPLOYMENT, Pods.CONTAINER,
                ParamSpec.optional("within", ParamType.DURATION, "30m", "how long the command may run"),
                ParamSpec.optional("destructive", ParamType.BOOL, false, "flag the step as destructive (e.g. a migration)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("pod", ParamType.STRING, "the pod the command ran in"),
                OutputSpec.of("exit-code", ParamType.INT, "the command's exit code (always 0 when the step succeeds)"));
    }

    @Override
    public boolean destructive(Params params) {
        return params.has("destructive") && !params.isDeferred("destructive") && params.bool("destructive", false);
    }

    @Override
    public String describe(Params params) {
        String container = params.has("container") ? " (container " + params.display("container") + ")" : "";
        return "run " + params.display("command") + " in " + Pods.describe(params, true) + container + Connection.where(params);
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        List<String> command = params.strings("command");
        if (command.isEmpty()) {
            throw new StepFailure("'command' is empty: give the command as an argument array", false, null);
        }
        Duration within = Waiter.bound(params.duration("within", DEFAULT_WITHIN), ctx);
        String container = params.string("container");
        try (KubeSession s = factory.open(params, ctx)) {
            Pod pod = Pods.pickReady(s, params);
            String podName = pod.getMetadata().getName();
            String where = "pod/" + podName + (container == null ? "" : " (container " + container + ")");
            ctx.log().info("running " + command + " in " + where + " in namespace " + s.namespace());
            LineSink out = new LineSink(ctx.log()::output);
            LineSink err = new LineSink(ctx.log()::output);
            PodResource resource = Pods.resource(s, pod);
            ContainerResource target = container == null ? resource : resource.inContainer(container);
            Integer exit;
            try (ExecWatch watch = s.call(new Op("create", "pods/exec", "pod/" + podName),
                    () -> target.writingOutput(out).writingError(err).exec(command.toArray(String[]::new)))) {
                exit = watch.exitCode().get(within.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new StepFailure(command + " in " + where + " did not finish within " + Durations.format(within)
                        + "; runbook closed the session (the process may still run in the pod: check with kubectl exec " + podName
                        + " -n " + s.namespace() + " -- ps)", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof KubernetesClientException kce) {
                    throw s.failure(new Op("create", "pods/exec", "pod/" + podName), kce);
                }
                throw new StepFailure("exec in " + where + " failed: " + KubeErrors.rootMessage(e), e);
            } finally {
                out.close();
                err.close();
            }
            if (exit == null || exit < 0) {
                throw new StepFailure(command + " in " + where + " ended without an exit status (did the pod restart or the"
                        + " connection drop?). Check whether it finished: kubectl logs " + podName + " -n " + s.namespace());
            }
            if (exit != 0) {
                List<String> tail = err.tail().isEmpty() ? out.tail() : err.tail();
                throw new StepFailure(command + " in " + where + " in namespace " + s.namespace() + " exited with code " + exit
                        + (tail.isEmpty() ? "" : "; last lines:\n" + String.join("\n", tail.subList(Math.max(0, tail.size() - 10), tail.size()))),
                        false, null);
            }
            return Outputs.none().put("pod", podName).put("exit-code", 0L);
        }
    }
}
