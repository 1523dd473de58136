package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;

import java.util.List;
import java.util.Locale;

/** {@code kubectl delete KIND NAME} or {@code kubectl delete KIND -l SELECTOR}. Always destructive. */
final class DeleteAction implements Action {

    private final KubeClientFactory factory;

    DeleteAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "delete";
    }

    @Override
    public String summary() {
        return "Delete an object by kind and name, or every object of a kind matching a label selector";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.required("kind", ParamType.STRING, "kind: deployment, statefulset, job, pod, pvc, secret, ... (kubectl's names and short names)"),
                ParamSpec.optional("name", ParamType.STRING, null, "object name"),
                ParamSpec.optional("selector", ParamType.STRING, null, "label selector, e.g. app=db (instead of name)"),
                ParamSpec.optional("api-version", ParamType.STRING, null, "apiVersion for kinds runbook does not know (e.g. a CRD)"),
                ParamSpec.optional("ignore-not-found", ParamType.BOOL, false, "succeed when nothing matches"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("deleted", ParamType.LIST, "the objects deleted, as kind/name"));
    }

    @Override
    public boolean destructive(Params params) {
        return true;
    }

    @Override
    public String describe(Params params) {
        String kind = params.display("kind").toLowerCase(Locale.ROOT);
        String what = params.has("name") ? kind + "/" + params.display("name")
                : "every " + kind + " matching " + params.display("selector", "<name or selector missing>");
        return "delete " + what + Connection.where(params);
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        if (params.has("name") == params.has("selector")) {
            throw new StepFailure("delete needs exactly one of 'name' or 'selector'", false, null);
        }
        String kindName = params.string("kind");
        try (KubeSession s = factory.open(params, ctx)) {
            Kind kind = Kind.lookup(kindName).orElse(null);
            MixedOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> op;
            String label;
            String rbac;
            if (kind != null) {
                op = s.client().genericKubernetesResources(kind.context());
                label = kind.lower();
                rbac = kind.rbacResource();
            } else if (params.has("api-version")) {
                // not in runbook's table: let Fabric8 discover it from the API server
                op = s.client().genericKubernetesResources(params.string("api-version"), kindName);
                label = kindName.toLowerCase(Locale.ROOT);
                rbac = label;
            } else {
                throw new StepFailure("unknown kind '" + kindName + "': use one of " + Kind.knownNames()
                        + ", or give 'api-version' for other kinds", false, null);
            }
            NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> scoped =
                    kind == null || kind.namespaced() ? op.inNamespace(s.namespace()) : op;
            List<String> targets;
            if (params.has("name")) {
                String name = params.string("name");
                GenericKubernetesResource live = s.call(new Op("get", rbac, label + "/" + name), () -> scoped.withName(name).get());
                targets = live == null ? List.of() : List.of(name);
            } else {
                String selector = params.string("selector");
                targets = s.call(new Op("list", rbac, label + " with " + selector),
                        () -> scoped.withLabelSelector(selector).list().getItems()).stream()
                        .map(o -> o.getMetadata().getName()).toList();
            }
            if (targets.isEmpty()) {
                String what = params.has("name") ? label + "/" + params.string("name") : "no " + label + " matches " + params.string("selector");
                if (params.bool("ignore-not-found", false)) {
                    ctx.log().info(what + (params.has("name") ? " does not exist" : "") + " in namespace " + s.namespace() + ": nothing to delete");
                    return Outputs.none().put("deleted", List.of());
                }
                throw new StepFailure((params.has("name") ? what + " not found" : what) + " in namespace " + s.namespace()
                        + " (" + s.origin().describe() + "). Set ignore-not-found: true if that is expected.", false, null);
            }
            List<String> deleted = new java.util.ArrayList<>();
            for (String name : targets) {
                s.call(new Op("delete", rbac, label + "/" + name), () -> scoped.withName(name).delete());
                ctx.log().info("deleted " + label + "/" + name + " in namespace " + s.namespace());
                deleted.add(label + "/" + name);
            }
            return Outputs.none().put("deleted", deleted);
        }
    }
}
