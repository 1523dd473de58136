package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;

import java.util.List;

/**
 * {@code kubectl rollout restart}: stamps the pod template with a restart time so the
 * controller replaces every pod. Does not wait (use {@code wait for: rollout-complete}).
 */
final class RolloutRestartAction implements Action {

    private final KubeClientFactory factory;

    RolloutRestartAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "rollout-restart";
    }

    @Override
    public String summary() {
        return "Restart every pod of a deployment, statefulset or daemonset (rolling)";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.required("name", ParamType.STRING, "workload name"),
                ParamSpec.optional("kind", ParamType.STRING, "deployment", "deployment, statefulset or daemonset")
                        .oneOf("deployment", "statefulset", "daemonset"));
    }

    @Override
    public String describe(Params params) {
        return "restart every pod of " + params.display("kind", "deployment") + "/" + params.display("name")
                + Connection.where(params) + " (rolling)";
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        Workload kind = Workload.of(params.string("kind", "deployment"));
        String name = params.string("name");
        try (KubeSession s = factory.open(params, ctx)) {
            kind.require(s, name);
            s.call(new Op("patch", kind.rbac(), kind.lower() + "/" + name), () -> {
                var resource = kind.resource(s, name);
                if (resource instanceof RollableScalableResource<?> rollable) {
                    return rollable.rolling().restart();
                }
                // DaemonSets have no rolling() in Fabric8: stamp the template like kubectl does
                return s.client().apps().daemonSets().inNamespace(s.namespace()).withName(name).edit(ds -> {
                    var meta = ds.getSpec().getTemplate().getMetadata();
                    if (meta.getAnnotations() == null) {
                        meta.setAnnotations(new java.util.HashMap<>());
                    }
                    meta.getAnnotations().put("kubectl.kubernetes.io/restartedAt", java.time.Instant.now().toString());
                    return ds;
                });
            });
            ctx.log().info("restarted " + kind.lower() + "/" + name + " in namespace " + s.namespace()
                    + "; its pods are being replaced");
            return Outputs.none();
        }
    }

}
