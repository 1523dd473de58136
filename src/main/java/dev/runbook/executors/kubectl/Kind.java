package dev.runbook.executors.kubectl;

import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A resource type the actions can name without API discovery (the kinds a DR runbook touches),
 * with the aliases kubectl accepts ("deploy", "sts", "cm", ...).
 */
record Kind(String group, String version, String kind, String plural, boolean namespaced, List<String> aliases) {

    private static final List<Kind> KNOWN = List.of(
            new Kind("", "v1", "Pod", "pods", true, List.of("po")),
            new Kind("", "v1", "Service", "services", true, List.of("svc")),
            new Kind("", "v1", "Secret", "secrets", true, List.of()),
            new Kind("", "v1", "ConfigMap", "configmaps", true, List.of("cm")),
            new Kind("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, List.of("pvc")),
            new Kind("", "v1", "ServiceAccount", "serviceaccounts", true, List.of("sa")),
            new Kind("", "v1", "Namespace", "namespaces", false, List.of("ns")),
            new Kind("", "v1", "PersistentVolume", "persistentvolumes", false, List.of("pv")),
            new Kind("apps", "v1", "Deployment", "deployments", true, List.of("deploy")),
            new Kind("apps", "v1", "StatefulSet", "statefulsets", true, List.of("sts")),
            new Kind("apps", "v1", "DaemonSet", "daemonsets", true, List.of("ds")),
            new Kind("apps", "v1", "ReplicaSet", "replicasets", true, List.of("rs")),
            new Kind("batch", "v1", "Job", "jobs", true, List.of()),
            new Kind("batch", "v1", "CronJob", "cronjobs", true, List.of("cj")),
            new Kind("networking.k8s.io", "v1", "Ingress", "ingresses", true, List.of("ing")),
            new Kind("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, List.of("netpol")),
            new Kind("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, List.of("pdb")),
            new Kind("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, List.of("hpa")),
            new Kind("rbac.authorization.k8s.io", "v1", "Role", "roles", true, List.of()),
            new Kind("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, List.of()));

    /** Finds a kind by name, plural or alias, case-insensitively ("Deployment", "deployments", "deploy"). */
    static Optional<Kind> lookup(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return KNOWN.stream()
                .filter(k -> k.kind.toLowerCase(Locale.ROOT).equals(n) || k.plural.equals(n) || k.aliases.contains(n))
                .findFirst();
    }

    static List<String> knownNames() {
        return KNOWN.stream().map(k -> k.kind.toLowerCase(Locale.ROOT)).toList();
    }

    String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** The name RBAC rules and kubectl use: "deployments.apps", "pods". */
    String rbacResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** "deployment", as in "deployment/db". */
    String lower() {
        return kind.toLowerCase(Locale.ROOT);
    }

    ResourceDefinitionContext context() {
        return new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion(version)
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(namespaced)
                .build();
    }
}
