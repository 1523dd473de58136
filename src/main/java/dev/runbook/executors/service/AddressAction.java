package dev.runbook.executors.service;

import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;

import java.util.List;

/**
 * {@code service.address}: a host and port on the operator's machine that reach a service's
 * port, for host-side tools (psql, http checks). compose: the port Docker published it on
 * ({@code compose.port}, host 127.0.0.1 for wildcard bindings); kubernetes: a
 * {@code kubectl.port-forward} to the Service of that name, open until the run ends.
 */
final class AddressAction extends ServiceAction {

    static final ParamSpec PORT = ParamSpec.required("port", ParamType.INT,
            "the service's port (compose: container port; kubernetes: Service port), e.g. 5432");

    @Override
    public String name() {
        return "address";
    }

    @Override
    public String summary() {
        return "A host:port on this machine that reaches a service's port (published port, or a port-forward)";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(ServiceParams.SERVICE, PORT);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("host", ParamType.STRING, "host to connect to from this machine"),
                OutputSpec.of("port", ParamType.INT, "port to connect to from this machine"));
    }

    @Override
    List<Invocation> map(Platform platform, Params params) {
        if (platform == Platform.COMPOSE) {
            return List.of(Invocation.of(Backends.compose("port"), scope(platform, params,
                    with("service", params.raw("service"), "port", params.raw("port")))));
        }
        return List.of(Invocation.of(Backends.kubectl("port-forward"), scope(platform, params,
                with("service", params.raw("service"), "port", params.raw("port")))));
    }

    @Override
    Outputs outputs(Platform platform, List<Outputs> results) {
        var out = results.get(0).asMap();
        if (platform == Platform.COMPOSE) {
            return Outputs.none().put("host", out.get("host")).put("port", out.get("port"));
        }
        return Outputs.none().put("host", "127.0.0.1").put("port", out.get("local-port"));
    }
}
