package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.Counts;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;

import java.util.List;

/** {@code kubectl scale deployment/NAME --replicas=N}; does not wait (use {@code wait} for that). */
final class ScaleAction implements Action {

    private final KubeClientFactory factory;

    ScaleAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "scale";
    }

    @Override
    public String summary() {
        return "Set the replica count of a deployment or statefulset";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.required("name", ParamType.STRING, "deployment or statefulset name"),
                ParamSpec.required("replicas", ParamType.INT, "the replica count to set"),
                ParamSpec.optional("kind", ParamType.STRING, "deployment", "deployment or statefulset").oneOf("deployment", "statefulset"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("previous-replicas", ParamType.INT, "the replica count before scaling (to scale back later)"));
    }

    @Override
    public String describe(Params params) {
        String replicas = params.display("replicas");
        return "scale " + params.display("kind", "deployment") + "/" + params.display("name") + Connection.where(params)
                + " to " + replicas + ("1".equals(replicas) ? " replica" : " replicas");
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        Workload kind = Workload.of(params.string("kind", "deployment"));
        if (kind == Workload.DAEMONSET) {
            throw new StepFailure("a daemonset cannot be scaled", false, null);
        }
        String name = params.string("name");
        long replicas = params.integer("replicas", -1);
        if (replicas < 0 || replicas > Integer.MAX_VALUE) {
            throw new StepFailure("replicas must be 0 or more, got " + replicas, false, null);
        }
        try (KubeSession s = factory.open(params, ctx)) {
            HasMetadata live = kind.require(s, name);
            Integer before = live instanceof Deployment d ? d.getSpec().getReplicas() : ((StatefulSet) live).getSpec().getReplicas();
            long previous = before == null ? 1 : before;
            s.call(new Op("update", kind.rbac().replace(".apps", "/scale"), kind.lower() + "/" + name),
                    () -> kind.resource(s, name).scale((int) replicas));
            ctx.log().info("scaled " + kind.lower() + "/" + name + " in namespace " + s.namespace() + " from " + previous
                    + " to " + Counts.of(replicas, "replica"));
            return Outputs.none().put("previous-replicas", previous);
        }
    }
}
