package dev.runbook.executors.service;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code service.wait-ready}, changing nothing. compose: {@code compose.wait-healthy};
 * kubernetes: {@code kubectl.wait for: rollout-complete} of each deployment.
 */
final class WaitReadyAction extends ServiceAction {

    @Override
    public String name() {
        return "wait-ready";
    }

    @Override
    public String summary() {
        return "Wait until services are ready: compose healthy (or running), or Kubernetes rollout complete";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ServiceParams.SERVICES, ServiceParams.WITHIN);
    }

    @Override
    List<Invocation> map(Platform platform, Params params) throws StepFailure {
        Object within = params.raw("within") == null ? "5m" : params.raw("within");
        if (platform == Platform.COMPOSE) {
            return List.of(Invocation.of(Backends.compose("wait-healthy"), scope(platform, params,
                    with("services", params.raw("services"), "within", within))));
        }
        List<?> services = ServiceParams.requireNamed(params, name());
        if (services == null) {
            services = List.of(params.raw("services"));
        }
        List<Invocation> out = new ArrayList<>();
        for (Object service : services) {
            out.add(Invocation.of(Backends.kubectl("wait"), scope(platform, params,
                    with("for", "rollout-complete", "name", service, "kind", "deployment", "within", within))));
        }
        return out;
    }

    @Override
    String describeOn(Platform platform, Params params) {
        if (platform == Platform.COMPOSE || (ServiceParams.knownList(params, "services") != null
                && ServiceParams.knownList(params, "services").isEmpty())) {
            return super.describeOn(platform, params);
        }
        return "wait up to " + params.display("within", "5m") + " for the rollout" + (UpAction.plural(params) ? "s" : "")
                + " of " + ServiceParams.deployments(params) + ServiceParams.namespace(params) + " to complete";
    }
}
