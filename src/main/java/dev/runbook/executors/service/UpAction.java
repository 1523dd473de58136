package dev.runbook.executors.service;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code service.up}. compose: {@code compose.up} (detached, optionally waiting until healthy);
 * kubernetes: {@code kubectl.scale} of each deployment to {@code replicas}, then
 * {@code kubectl.wait for: rollout-complete} of each.
 */
final class UpAction extends ServiceAction {

    static final ParamSpec WAIT = ParamSpec.optional("wait", ParamType.BOOL, true,
            "wait until the services are ready (compose: healthy, or running without a healthcheck; "
                    + "kubernetes: rollout complete)");

    @Override
    public String name() {
        return "up";
    }

    @Override
    public String summary() {
        return "Start services: compose up -d, or scale Kubernetes deployments up; optionally wait until ready";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ServiceParams.SERVICES, WAIT, ServiceParams.WITHIN, ServiceParams.REPLICAS);
    }

    @Override
    List<Invocation> map(Platform platform, Params params) throws StepFailure {
        Object services = params.raw("services");
        Object wait = params.raw("wait") == null ? Boolean.TRUE : params.raw("wait");
        Object within = params.raw("within") == null ? "5m" : params.raw("within");
        if (platform == Platform.COMPOSE) {
            return List.of(Invocation.of(Backends.compose("up"), scope(platform, params,
                    with("services", services, "wait", wait, "within", within))));
        }
        return scaleThenWait(params, ServiceParams.requireNamed(params, name()),
                params.raw("replicas") == null ? 1L : params.raw("replicas"), wait, within);
    }

    /** Kubernetes: scale every deployment first (rollouts run together), then wait for each. */
    static List<Invocation> scaleThenWait(Params params, List<?> services, Object replicas, Object wait, Object within) {
        if (services == null) {
            // a run-time list while planning: one representative pair, described with the expression
            services = List.of(params.raw("services"));
        }
        List<Invocation> out = new ArrayList<>();
        for (Object service : services) {
            out.add(Invocation.of(Backends.kubectl("scale"), scope(Platform.KUBERNETES, params,
                    with("name", service, "replicas", replicas, "kind", "deployment"))));
        }
        if (!"false".equals(String.valueOf(wait))) {
            for (Object service : services) {
                out.add(Invocation.of(Backends.kubectl("wait"), scope(Platform.KUBERNETES, params,
                        with("for", "rollout-complete", "name", service, "kind", "deployment", "within", within))));
            }
        }
        return out;
    }

    @Override
    String describeOn(Platform platform, Params params) {
        if (platform == Platform.COMPOSE) {
            return super.describeOn(platform, params);
        }
        if (ServiceParams.knownList(params, "services") != null && ServiceParams.knownList(params, "services").isEmpty()) {
            return super.describeOn(platform, params); // says why it fails
        }
        String replicas = params.display("replicas", "1");
        String text = "scale " + ServiceParams.deployments(params) + ServiceParams.namespace(params) + " to " + replicas
                + ("1".equals(replicas) ? " replica" : " replicas");
        Object wait = params.raw("wait");
        return "false".equals(String.valueOf(wait)) ? text
                : text + " and wait for the rollout" + (plural(params) ? "s" : "") + " (up to "
                + params.display("within", "5m") + ")";
    }

    static boolean plural(Params params) {
        List<?> services = ServiceParams.knownList(params, "services");
        return services == null || services.size() != 1;
    }
}
