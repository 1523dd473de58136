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

    /**
     * Why the pods with these labels are not ready, in the kubelet's and scheduler's words, e.g.
     * "pod db-5f7c9-x2: ErrImageNeverPull (Container image ... is not present with pull policy of
     * Never)". Best effort: for a timeout message, so an API error here yields an empty text.
     */
    static String whyNotReady(KubeSession s, Map<String, String> labels) {
        List<Pod> pods;
        try {
            pods = s.client().pods().inNamespace(s.namespace()).withLabels(labels).list().getItems();
        } catch (RuntimeException e) {
            return "";
        }
        if (pods.isEmpty()) {
            return "No pod was created; see the events: kubectl get events -n " + s.namespace();
        }
        List<String> reasons = new java.util.ArrayList<>();
        for (Pod pod : pods) {
            if (Readiness.podReady(pod)) {
                continue;
            }
            reasons.add("pod " + pod.getMetadata().getName() + ": " + reason(pod));
        }
        return reasons.isEmpty() ? "" : String.join("; ", reasons);
    }

    private static String reason(Pod pod) {
        var status = pod.getStatus();
        if (status == null) {
            return "no status yet";
        }
        List<io.fabric8.kubernetes.api.model.ContainerStatus> containers = new java.util.ArrayList<>();
        if (status.getInitContainerStatuses() != null) {
            containers.addAll(status.getInitContainerStatuses());
        }
        if (status.getContainerStatuses() != null) {
            containers.addAll(status.getContainerStatuses());
        }
        for (var c : containers) {
            var state = c.getState();
            if (state != null && state.getWaiting() != null && state.getWaiting().getReason() != null) {
                var last = c.getLastState() == null ? null : c.getLastState().getTerminated();
                return state.getWaiting().getReason() + detail(state.getWaiting().getMessage())
                        + (last == null ? "" : ", last exit code " + last.getExitCode() + detail(last.getReason()));
            }
            if (state != null && state.getTerminated() != null) {
                return "exited with code " + state.getTerminated().getExitCode() + detail(state.getTerminated().getReason());
            }
        }
        if (status.getConditions() != null) {
            for (var cond : status.getConditions()) {
                if ("False".equals(cond.getStatus()) && cond.getReason() != null) {
                    return cond.getType() + " " + cond.getReason() + detail(cond.getMessage());
                }
            }
        }
        return status.getPhase() + (status.getReason() == null ? "" : detail(status.getReason())) + ", not ready";
    }

    private static String detail(String text) {
        return text == null || text.isBlank() ? "" : " (" + text.strip() + ")";
    }
}
