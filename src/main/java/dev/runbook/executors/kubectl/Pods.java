package dev.runbook.executors.kubectl;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finds the pods an action works on: one by name ({@code pod}), the pods of a
 * {@code deployment}, or those matching a label {@code selector}.
 */
final class Pods {

    static final ParamSpec POD = ParamSpec.optional("pod", ParamType.STRING, null, "pod name");
    static final ParamSpec SELECTOR = ParamSpec.optional("selector", ParamType.STRING, null, "label selector, e.g. app=api");
    static final ParamSpec DEPLOYMENT = ParamSpec.optional("deployment", ParamType.STRING, null, "a deployment whose pods to use");
    static final ParamSpec CONTAINER = ParamSpec.optional("container", ParamType.STRING, null, "container name (default: the pod's default container)");

    private Pods() {
    }

    /** "pod/api-0", "a ready pod of deployment/api", "pods with app=api". Pure. */
    static String describe(Params params, boolean one) {
        if (params.has("pod")) {
            return "pod/" + params.display("pod");
        }
        if (params.has("deployment")) {
            return (one ? "a ready pod of " : "the pods of ") + "deployment/" + params.display("deployment");
        }
        if (params.has("selector")) {
            return (one ? "a ready pod with " : "pods with ") + params.display("selector");
        }
        return "<pod, selector or deployment missing>";
    }

    /** Every candidate pod, ready ones first, then newest first. */
    static List<Pod> find(KubeSession s, Params params) throws StepFailure {
        String ns = s.namespace();
        if (params.has("pod")) {
            String name = params.string("pod");
            Pod pod = s.call(new Op("get", "pods", "pod/" + name), () -> s.client().pods().inNamespace(ns).withName(name).get());
            if (pod == null) {
                throw new StepFailure("pod/" + name + " not found in namespace " + ns + ". List them: kubectl get pods -n " + ns, false, null);
            }
            return List.of(pod);
        }
        List<Pod> pods;
        String what;
        if (params.has("deployment")) {
            String name = params.string("deployment");
            Deployment d = s.call(new Op("get", "deployments", "deployment/" + name),
                    () -> s.client().apps().deployments().inNamespace(ns).withName(name).get());
            if (d == null) {
                throw new StepFailure("deployment/" + name + " not found in namespace " + ns
                        + ". List them: kubectl get deployments -n " + ns, false, null);
            }
            Map<String, String> labels = d.getSpec().getSelector().getMatchLabels();
            what = "deployment/" + name;
            pods = s.call(new Op("list", "pods", "pods of " + what),
                    () -> s.client().pods().inNamespace(ns).withLabels(labels).list().getItems());
        } else if (params.has("selector")) {
            String selector = params.string("selector");
            what = "selector " + selector;
            pods = s.call(new Op("list", "pods", "pods with " + selector),
                    () -> s.client().pods().inNamespace(ns).withLabelSelector(selector).list().getItems());
        } else {
            throw new StepFailure("give one of 'pod', 'selector' or 'deployment'", false, null);
        }
        if (pods.isEmpty()) {
            throw new StepFailure("no pods for " + what + " in namespace " + ns + ". Is it scaled to 0? kubectl get pods -n " + ns, true, null);
        }
        return pods.stream()
                .sorted(Comparator.comparing((Pod p) -> !Readiness.podReady(p))
                        .thenComparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()), Comparator.reverseOrder())
                        .thenComparing(p -> p.getMetadata().getName()))
                .toList();
    }

    /** The pod to exec into: the named one, or the first ready one. */
    static Pod pickReady(KubeSession s, Params params) throws StepFailure {
        List<Pod> pods = find(s, params);
        Pod first = pods.get(0);
        if (params.has("pod") || Readiness.podReady(first)) {
            return first;
        }
        throw new StepFailure("no ready pod for " + describe(params, true) + " in namespace " + s.namespace() + "; found: "
                + pods.stream().map(p -> p.getMetadata().getName() + " (" + (p.getStatus() == null ? "?" : p.getStatus().getPhase()) + ")")
                .collect(Collectors.joining(", ")), true, null);
    }

    static PodResource resource(KubeSession s, Pod pod) {
        return s.client().pods().inNamespace(pod.getMetadata().getNamespace() == null ? s.namespace()
                : pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName());
    }

    /** The last lines of a pod's log, or a note why there are none (never throws: used in failure messages). */
    static String tail(KubeSession s, Pod pod, String container, int lines) {
        try {
            PodResource r = resource(s, pod);
            String log = container == null ? r.tailingLines(lines).getLog() : r.inContainer(container).tailingLines(lines).getLog();
            return log == null ? "" : log.stripTrailing();
        } catch (KubernetesClientException e) {
            return "(logs of pod " + pod.getMetadata().getName() + " unavailable: HTTP " + e.getCode() + " "
                    + KubeErrors.rootMessage(e) + ")";
        }
    }
}
