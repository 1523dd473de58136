package dev.runbook.executors.service;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;

import java.util.List;

/**
 * The target-neutral parameters. A "service" is a Compose service on a compose target and
 * the Deployment (and Service, for {@code address}) of the same name on a kubernetes target.
 */
final class ServiceParams {

    static final ParamSpec SERVICES = ParamSpec.optional("services", ParamType.LIST, List.of(),
            "services to act on; compose: empty means every service in the compose files; "
                    + "kubernetes: the deployments of these names (must be listed)")
            .ofItems(ParamSpec.element(ParamType.STRING, "a service name"));
    static final ParamSpec SERVICE = ParamSpec.required("service", ParamType.STRING,
            "the service (compose service; kubernetes deployment/service of that name)");
    static final ParamSpec WITHIN = ParamSpec.optional("within", ParamType.DURATION, "5m",
            "how long to wait until the services are ready (compose: healthy or running; kubernetes: rollout complete)");
    static final ParamSpec REPLICAS = ParamSpec.optional("replicas", ParamType.INT, 1L,
            "kubernetes: the replica count to scale each deployment to (compose runs what the files say)");

    private ServiceParams() {
    }

    /**
     * The value of a list parameter as a list when it is known (planning may see a run-time
     * value instead): null when it is not a list yet.
     */
    static List<?> knownList(Params params, String name) {
        Object raw = params.raw(name);
        if (raw == null) {
            return List.of();
        }
        return raw instanceof List<?> l ? l : null;
    }

    /** Kubernetes has no "every service of the project": the deployments must be named. */
    static List<?> requireNamed(Params params, String action) throws StepFailure {
        List<?> services = knownList(params, "services");
        if (services != null && services.isEmpty()) {
            throw new StepFailure("service." + action + " on a kubernetes target needs `services` (the deployments, "
                    + "e.g. [db, api, web]): unlike a compose project, a namespace has no list of \"all services\"",
                    false, null);
        }
        return services;
    }

    /** "deployment/db, deployment/api" (pure; a run-time list shows as its expression). */
    static String deployments(Params params) {
        List<?> services = knownList(params, "services");
        if (services == null) {
            return "the deployments " + params.display("services");
        }
        if (services.isEmpty()) {
            return "<no services listed>";
        }
        return String.join(", ", services.stream().map(s -> "deployment/" + Params.display(s)).toList());
    }

    /** " in namespace shop (context prod-eu)": the context comes from the plan's resolution, as for kubectl steps. */
    static String namespace(Params params) {
        String where = params.has("namespace") ? " in namespace " + params.display("namespace") : " in the target's namespace";
        return params.has("context") ? where + " (context " + params.display("context") + ")" : where;
    }
}
