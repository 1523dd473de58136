package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * {@code kubectl apply --server-side}: creates or updates the objects of one or more manifests
 * and reports, per object, whether it was created, changed or already as asked.
 *
 * <p>Server-side apply is used where the API server has it (every real cluster since 1.22).
 * Where it does not (HTTP 415 or 404 to the apply patch, as the Fabric8 mock server answers),
 * it falls back to get, then create, or a JSON merge patch when the live object differs.
 */
final class ApplyAction implements Action {

    static final String FIELD_MANAGER = "runbook";

    private final KubeClientFactory factory;

    ApplyAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "apply";
    }

    @Override
    public String summary() {
        return "Create or update objects from manifests (server-side apply), reporting created/changed/unchanged";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.optional("file", ParamType.STRING, null, "manifest file, relative to the runbook"),
                ParamSpec.optional("files", ParamType.LIST, null, "manifest files, relative to the runbook")
                        .ofItems(ParamSpec.element(ParamType.STRING, "a manifest file")),
                ParamSpec.optional("manifest", ParamType.ANY, null, "inline manifest: a mapping, a list, or YAML text (multi-document)"),
                ParamSpec.optional("field-manager", ParamType.STRING, FIELD_MANAGER, "field manager name for server-side apply"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("objects", ParamType.LIST, "one line per object: \"Kind/name: created|changed|unchanged\""));
    }

    @Override
    public String describe(Params params) {
        return "apply " + Manifests.describeSources(params) + Connection.where(params)
                + " (server-side apply as '" + params.display("field-manager", FIELD_MANAGER) + "')";
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        try (KubeSession s = factory.open(params, ctx)) {
            List<HasMetadata> items = Manifests.load(params, ctx, s.client());
            String manager = params.string("field-manager", FIELD_MANAGER);
            boolean serverSide = true;
            List<String> report = new ArrayList<>();
            for (HasMetadata item : items) {
                String label = item.getKind() + "/" + item.getMetadata().getName();
                String resource = item.getPlural() == null ? item.getKind().toLowerCase(Locale.ROOT) + "s" : item.getPlural();
                HasMetadata live = s.call(new Op("get", resource, label), () -> s.client().resource(item).get());
                String outcome = null;
                if (serverSide) {
                    try {
                        HasMetadata applied = s.client().resource(item).fieldManager(manager).forceConflicts().serverSideApply();
                        outcome = live == null ? "created"
                                : Objects.equals(resourceVersion(live), resourceVersion(applied)) ? "unchanged" : "changed";
                    } catch (KubernetesClientException e) {
                        if (e.getCode() != 415 && e.getCode() != 404) {
                            throw s.failure(new Op("patch", resource, label), e);
                        }
                        serverSide = false;
                        ctx.log().warn("the API server does not support server-side apply (HTTP " + e.getCode()
                                + "); falling back to create / merge patch");
                    }
                }
                if (outcome == null) {
                    outcome = createOrPatch(s, item, live, label, resource);
                }
                ctx.log().info(label + ": " + outcome);
                report.add(label + ": " + outcome);
            }
            return Outputs.none().put("objects", report);
        }
    }

    /** The fallback without server-side apply: create, or merge-patch only when the live object differs. */
    @SuppressWarnings("unchecked")
    private static String createOrPatch(KubeSession s, HasMetadata item, HasMetadata live, String label, String resource)
            throws StepFailure {
        if (live == null) {
            s.call(new Op("create", resource, label), () -> s.client().resource(item).create());
            return "created";
        }
        var serialization = s.client().getKubernetesSerialization();
        Map<String, Object> desired = Drift.desiredContent(serialization.convertValue(item, Map.class));
        Map<String, Object> current = serialization.convertValue(live, Map.class);
        if (Drift.covers(current, desired)) {
            return "unchanged";
        }
        s.call(new Op("patch", resource, label),
                () -> s.client().resource(live).patch(PatchContext.of(PatchType.JSON_MERGE), item));
        return "changed";
    }

    private static String resourceVersion(HasMetadata o) {
        return o == null || o.getMetadata() == null ? null : o.getMetadata().getResourceVersion();
    }
}
