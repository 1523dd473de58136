package dev.runbook.executors.kubectl;

import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.util.Locale;

/** The workloads that roll out: deployment, statefulset, daemonset. */
enum Workload {
    DEPLOYMENT("deployments"), STATEFULSET("statefulsets"), DAEMONSET("daemonsets");

    private final String plural;

    Workload(String plural) {
        this.plural = plural;
    }

    static Workload of(String kind) throws StepFailure {
        Kind k = Kind.lookup(kind == null ? "deployment" : kind).orElse(null);
        if (k != null) {
            for (Workload w : values()) {
                if (w.plural.equals(k.plural())) {
                    return w;
                }
            }
        }
        throw new StepFailure("kind '" + kind + "' does not roll out: use deployment, statefulset or daemonset", false, null);
    }

    String lower() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The RBAC resource name, "deployments.apps". */
    String rbac() {
        return plural + ".apps";
    }

    Resource<? extends HasMetadata> resource(KubeSession s, String name) {
        var apps = s.client().apps();
        return switch (this) {
            case DEPLOYMENT -> apps.deployments().inNamespace(s.namespace()).withName(name);
            case STATEFULSET -> apps.statefulSets().inNamespace(s.namespace()).withName(name);
            case DAEMONSET -> apps.daemonSets().inNamespace(s.namespace()).withName(name);
        };
    }

    /** Reads it; a missing object is a clear failure. */
    HasMetadata require(KubeSession s, String name) throws StepFailure {
        HasMetadata live = s.call(new Op("get", rbac(), lower() + "/" + name), () -> resource(s, name).get());
        if (live == null) {
            throw new StepFailure(lower() + "/" + name + " not found in namespace " + s.namespace() + " ("
                    + s.origin().describe() + "). List them: kubectl get " + plural + " -n " + s.namespace(), false, null);
        }
        return live;
    }

    /** The workload's pod labels (its selector's matchLabels), if it has any. */
    java.util.Optional<java.util.Map<String, String>> selector(HasMetadata live) {
        io.fabric8.kubernetes.api.model.LabelSelector sel = switch (this) {
            case DEPLOYMENT -> ((Deployment) live).getSpec().getSelector();
            case STATEFULSET -> ((StatefulSet) live).getSpec().getSelector();
            case DAEMONSET -> ((DaemonSet) live).getSpec().getSelector();
        };
        return sel == null || sel.getMatchLabels() == null || sel.getMatchLabels().isEmpty()
                ? java.util.Optional.empty() : java.util.Optional.of(sel.getMatchLabels());
    }

    Progress progress(HasMetadata live) {
        return switch (this) {
            case DEPLOYMENT -> Readiness.deployment((Deployment) live);
            case STATEFULSET -> Readiness.statefulSet((StatefulSet) live);
            case DAEMONSET -> Readiness.daemonSet((DaemonSet) live);
        };
    }
}
