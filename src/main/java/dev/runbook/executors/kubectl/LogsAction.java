package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import io.fabric8.kubernetes.api.model.Pod;

import java.util.ArrayList;
import java.util.List;

/** {@code kubectl logs --tail=N}: copies the last lines of a pod's log (or several pods') into the step log. */
final class LogsAction implements Action {

    /** kubectl's own cap on concurrent log requests for a selector. */
    static final int MAX_PODS = 5;

    private final KubeClientFactory factory;

    LogsAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String summary() {
        return "Copy the last lines of pod logs (by name, selector or deployment) into the step log";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(Pods.POD, Pods.SELECTOR, Pods.DEPLOYMENT, Pods.CONTAINER,
                ParamSpec.optional("tail", ParamType.INT, 100L, "lines per pod"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("pods", ParamType.LIST, "the pods whose logs were copied"));
    }

    @Override
    public String describe(Params params) {
        return "show the last " + params.display("tail", "100") + " log lines of " + Pods.describe(params, params.has("deployment"))
                + Connection.where(params);
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        int tail = (int) params.integer("tail", 100);
        String container = params.string("container");
        try (KubeSession s = factory.open(params, ctx)) {
            List<Pod> pods = Pods.find(s, params);
            // like kubectl logs deploy/x: one pod of a deployment; all (capped) for a selector
            List<Pod> chosen = params.has("deployment") ? pods.subList(0, 1) : pods.subList(0, Math.min(MAX_PODS, pods.size()));
            if (pods.size() > chosen.size() && !params.has("deployment")) {
                ctx.log().warn(pods.size() + " pods match; showing the first " + MAX_PODS);
            }
            List<String> names = new ArrayList<>();
            for (Pod pod : chosen) {
                String name = pod.getMetadata().getName();
                names.add(name);
                String log = s.call(new Op("get", "pods/log", "pod/" + name), () -> {
                    var r = Pods.resource(s, pod);
                    return container == null ? r.tailingLines(tail).getLog() : r.inContainer(container).tailingLines(tail).getLog();
                });
                boolean prefix = chosen.size() > 1;
                for (String line : (log == null ? "" : log.stripTrailing()).split("\n", -1)) {
                    if (!line.isEmpty()) {
                        ctx.log().output(prefix ? "[" + name + "] " + line : line);
                    }
                }
            }
            return Outputs.none().put("pods", names);
        }
    }
}
