package dev.runbook.executors.service;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;

import java.util.List;

/** {@code service.logs}: the last lines of a service. compose: {@code compose.logs}; kubernetes: {@code kubectl.logs} of its deployment. */
final class LogsAction extends ServiceAction {

    static final ParamSpec TAIL = ParamSpec.optional("tail", ParamType.INT, 100L, "how many lines (per container or pod)");

    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String summary() {
        return "Copy the last log lines of a service into the step log";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ServiceParams.SERVICE, TAIL);
    }

    @Override
    List<Invocation> map(Platform platform, Params params) {
        Object tail = params.raw("tail") == null ? 100L : params.raw("tail");
        if (platform == Platform.COMPOSE) {
            return List.of(Invocation.of(Backends.compose("logs"), scope(platform, params,
                    with("service", params.raw("service"), "tail", tail))));
        }
        return List.of(Invocation.of(Backends.kubectl("logs"), scope(platform, params,
                with("deployment", params.raw("service"), "tail", tail))));
    }
}
