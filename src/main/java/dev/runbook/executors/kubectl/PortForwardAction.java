package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.client.LocalPortForward;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;

/**
 * {@code kubectl port-forward svc/NAME LOCAL:PORT}, bound to 127.0.0.1, kept open for the rest of
 * the run (see {@link PortForwards}); later steps connect to {@code steps.<id>.outputs.local-port}.
 * Like kubectl, a service port is forwarded to its target port on one ready pod behind it.
 */
final class PortForwardAction implements Action {

    private final KubeClientFactory factory;

    PortForwardAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "port-forward";
    }

    @Override
    public String summary() {
        return "Forward a local port to a service or pod port for the rest of the run";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.optional("service", ParamType.STRING, null, "service name"),
                Pods.POD,
                ParamSpec.required("port", ParamType.INT, "the service port (or pod port)"),
                ParamSpec.optional("local-port", ParamType.INT, 0L, "local port on 127.0.0.1 (0: any free port)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("local-port", ParamType.INT, "the local port on 127.0.0.1"),
                OutputSpec.of("pod", ParamType.STRING, "the pod the connection goes to"));
    }

    @Override
    public String describe(Params params) {
        String target = params.has("service") ? "service/" + params.display("service") : "pod/" + params.display("pod", "<service or pod missing>");
        String local = params.has("local-port") && !"0".equals(params.display("local-port"))
                ? "127.0.0.1:" + params.display("local-port") : "a free port on 127.0.0.1";
        return "forward " + local + " to " + target + ":" + params.display("port") + Connection.where(params)
                + " until the run ends";
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        if (params.has("service") == params.has("pod")) {
            throw new StepFailure("port-forward needs exactly one of 'service' or 'pod'", false, null);
        }
        int port = (int) params.integer("port", 0);
        int localPort = (int) params.integer("local-port", 0);
        KubeSession s = factory.open(params, ctx);
        try {
            Pod pod;
            int podPort;
            String target;
            if (params.has("service")) {
                String name = params.string("service");
                target = "service/" + name + ":" + port;
                Service svc = s.call(new Op("get", "services", "service/" + name),
                        () -> s.client().services().inNamespace(s.namespace()).withName(name).get());
                if (svc == null) {
                    throw new StepFailure("service/" + name + " not found in namespace " + s.namespace() + " ("
                            + s.origin().describe() + ")", false, null);
                }
                ServicePort sp = svc.getSpec().getPorts().stream().filter(p -> p.getPort() == port).findFirst()
                        .orElseThrow(() -> new StepFailure("service/" + name + " has no port " + port + " (it has "
                                + svc.getSpec().getPorts().stream().map(ServicePort::getPort).toList() + ")", false, null));
                Map<String, String> selector = svc.getSpec().getSelector();
                if (selector == null || selector.isEmpty()) {
                    throw new StepFailure("service/" + name + " has no selector, so there is no pod to forward to", false, null);
                }
                pod = Pods.pickReady(s, Params.of(Map.of("selector", selectorString(selector))));
                podPort = targetPort(sp, pod);
            } else {
                pod = Pods.pickReady(s, params);
                podPort = port;
                target = "pod/" + pod.getMetadata().getName() + ":" + port;
            }
            Pod chosen = pod;
            LocalPortForward forward = s.call(new Op("create", "pods/portforward", "pod/" + pod.getMetadata().getName()),
                    () -> Pods.resource(s, chosen).portForward(podPort, InetAddress.getLoopbackAddress(), localPort));
            PortForwards.keep(ctx.runId(), s, forward);
            String runId = ctx.runId();
            ctx.closeAtRunEnd(() -> PortForwards.closeRun(runId));
            ctx.log().info("forwarding 127.0.0.1:" + forward.getLocalPort() + " to " + target + " (pod "
                    + pod.getMetadata().getName() + " port " + podPort + ") until the run ends");
            return Outputs.none().put("local-port", (long) forward.getLocalPort()).put("pod", pod.getMetadata().getName());
        } catch (Exception e) {
            s.close();
            throw e;
        }
    }

    private static String selectorString(Map<String, String> selector) {
        return String.join(",", selector.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    }

    /** The pod port a service port leads to: its targetPort, by number or by the container port's name. */
    static int targetPort(ServicePort sp, Pod pod) throws StepFailure {
        IntOrString t = sp.getTargetPort();
        if (t == null) {
            return sp.getPort();
        }
        if (t.getIntVal() != null) {
            return t.getIntVal();
        }
        for (Container c : pod.getSpec().getContainers()) {
            for (ContainerPort cp : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if (t.getStrVal().equals(cp.getName())) {
                    return cp.getContainerPort();
                }
            }
        }
        throw new StepFailure("pod " + pod.getMetadata().getName() + " has no container port named '" + t.getStrVal()
                + "' (the service's targetPort)", false, null);
    }
}
