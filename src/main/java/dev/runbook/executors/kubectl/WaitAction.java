package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.Pod;

import java.time.Duration;
import java.util.List;

/**
 * {@code kubectl rollout status} / {@code kubectl wait}: waits for a rollout to complete, for
 * pods to be ready, or for a Job to complete, with a progress line at each change.
 */
final class WaitAction implements Action {

    static final Duration DEFAULT_WITHIN = Duration.ofMinutes(5);

    private final KubeClientFactory factory;

    WaitAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "wait";
    }

    @Override
    public String summary() {
        return "Wait for a rollout to complete, pods to be ready, or a job to complete";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.required("for", ParamType.STRING, "what to wait for").oneOf("rollout-complete", "pod-ready", "job-complete"),
                ParamSpec.optional("name", ParamType.STRING, null, "the workload (rollout-complete) or job (job-complete)"),
                ParamSpec.optional("kind", ParamType.STRING, "deployment", "rollout-complete: deployment, statefulset or daemonset")
                        .oneOf("deployment", "statefulset", "daemonset"),
                Pods.POD, Pods.SELECTOR, Pods.DEPLOYMENT,
                ParamSpec.optional("count", ParamType.INT, 1L, "pod-ready: at least this many ready pods (all matching pods must be ready)"),
                ParamSpec.optional("within", ParamType.DURATION, "5m", "how long to wait before failing"));
    }

    @Override
    public String describe(Params params) {
        String within = params.display("within", "5m");
        String what = switch (params.display("for", "")) {
            case "rollout-complete" -> "the rollout of " + params.display("kind", "deployment") + "/" + params.display("name");
            case "job-complete" -> "job/" + params.display("name") + " to complete";
            case "pod-ready" -> Pods.describe(params, false) + " to be ready";
            default -> params.display("for");
        };
        return "wait up to " + within + " for " + what + Connection.where(params);
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        Duration within = params.duration("within", DEFAULT_WITHIN);
        String mode = params.string("for");
        try (KubeSession s = factory.open(params, ctx)) {
            switch (mode) {
                case "rollout-complete" -> rollout(s, params, ctx, within);
                case "job-complete" -> Jobs.awaitSuccess(s, ctx, required(params, "name"), within);
                case "pod-ready" -> podsReady(s, params, ctx, within);
                default -> throw new StepFailure("unknown 'for: " + mode + "'", false, null);
            }
            return Outputs.none();
        }
    }

    private static void rollout(KubeSession s, Params params, StepContext ctx, Duration within)
            throws StepFailure, InterruptedException {
        Workload kind = Workload.of(params.string("kind", "deployment"));
        String name = required(params, "name");
        String label = kind.lower() + "/" + name;
        Progress end;
        try {
            end = Waiter.until(ctx, "rollout of " + label, within,
                    "Look at its pods and events: kubectl describe " + kind.lower() + " " + name + " -n " + s.namespace()
                            + "; kubectl get pods -n " + s.namespace(),
                    () -> kind.progress(kind.require(s, name)));
        } catch (StepFailure timedOut) {
            // Say why in the kubelet's words (ErrImageNeverPull, CrashLoopBackOff, Unschedulable...).
            String why = kind.selector(kind.require(s, name)).map(labels -> Pods.whyNotReady(s, labels)).orElse("");
            if (why.isEmpty()) {
                throw timedOut;
            }
            throw new StepFailure(timedOut.getMessage() + " Not ready: " + why, timedOut.retryable(), null);
        }
        if (end.state() == Progress.State.FAILED) {
            throw new StepFailure("rollout of " + label + " in namespace " + s.namespace() + " " + end.summary()
                    + ". Check: kubectl describe " + kind.lower() + " " + name + " -n " + s.namespace(), false, null);
        }
        ctx.log().info("rollout of " + label + " complete");
    }

    private static void podsReady(KubeSession s, Params params, StepContext ctx, Duration within)
            throws StepFailure, InterruptedException {
        long wanted = params.integer("count", 1);
        String what = Pods.describe(params, false);
        Waiter.until(ctx, what, within, "Check them: kubectl get pods -n " + s.namespace() + " and kubectl describe pod",
                () -> {
                    List<Pod> pods;
                    try {
                        pods = Pods.find(s, params);
                    } catch (StepFailure noneYet) {
                        if (params.has("pod") || !noneYet.retryable()) {
                            throw noneYet;
                        }
                        pods = List.of(); // a selector with no pods yet: keep waiting
                    }
                    long ready = pods.stream().filter(Readiness::podReady).count();
                    String summary = ready + " of " + pods.size() + " pods ready (want at least " + wanted + ")";
                    return ready >= wanted && ready == pods.size()
                            ? Progress.done(summary, ready, pods.size())
                            : Progress.pending(summary, ready, Math.max(wanted, pods.size()));
                });
    }

    static String required(Params params, String name) throws StepFailure {
        String v = params.string(name);
        if (v == null || v.isBlank()) {
            throw new StepFailure("parameter '" + name + "' is required here", false, null);
        }
        return v;
    }

}
