package dev.runbook.executors.service;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;

import java.util.List;

/**
 * {@code service.down}. compose: {@code compose.down} of the whole project (containers and
 * networks; volumes are kept); kubernetes: {@code kubectl.scale} of each deployment to 0.
 */
final class DownAction extends ServiceAction {

    @Override
    public String name() {
        return "down";
    }

    @Override
    public String summary() {
        return "Stop services: compose down (volumes kept), or scale Kubernetes deployments to 0";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ServiceParams.SERVICES);
    }

    @Override
    List<Invocation> map(Platform platform, Params params) throws StepFailure {
        if (platform == Platform.COMPOSE) {
            List<?> services = ServiceParams.knownList(params, "services");
            if (services == null || !services.isEmpty()) {
                throw new StepFailure("service.down on a compose target stops the whole project (compose down); "
                        + "leave `services` empty there, or use compose steps to stop single services", false, null);
            }
            return List.of(Invocation.of(Backends.compose("down"), scope(platform, params, with("volumes", false))));
        }
        return UpAction.scaleThenWait(params, ServiceParams.requireNamed(params, name()), 0L, false, null);
    }

    @Override
    String describeOn(Platform platform, Params params) {
        if (platform == Platform.COMPOSE || (ServiceParams.knownList(params, "services") != null
                && ServiceParams.knownList(params, "services").isEmpty())) {
            return super.describeOn(platform, params);
        }
        return "scale " + ServiceParams.deployments(params) + ServiceParams.namespace(params) + " to 0 replicas";
    }
}
