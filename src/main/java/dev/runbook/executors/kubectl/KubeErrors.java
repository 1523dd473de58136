package dev.runbook.executors.kubectl;

import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.client.KubernetesClientException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Fabric8 exceptions into messages for a tired on-call engineer: what failed, on which
 * object, and what to do next. Stack traces stay in the cause, not in the message.
 */
final class KubeErrors {

    // The API server's own words: 'User "system:serviceaccount:ops:runbook" cannot patch resource "deployments/scale" ...'
    private static final Pattern USER = Pattern.compile("User \"([^\"]*)\"");
    private static final Pattern DENIED = Pattern.compile("cannot (\\S+) resource \"([^\"]+)\"(?: in API group \"([^\"]*)\")?");

    private KubeErrors() {
    }

    static StepFailure translate(Op op, KubernetesClientException e, String namespace,
                                 KubeClientFactory.Origin origin, String configuredUser) {
        int code = e.getCode();
        String serverMessage = e.getStatus() != null && e.getStatus().getMessage() != null
                ? e.getStatus().getMessage() : null;
        String detail = serverMessage != null ? serverMessage : rootMessage(e);
        String ns = namespace == null ? "" : " in namespace " + namespace;
        return switch (code) {
            case 403 -> forbidden(op, e, serverMessage, namespace, origin, configuredUser);
            case 401 -> new StepFailure("unauthorized: the API server at " + origin.server() + " rejected the credentials from "
                    + origin.describe() + " (expired token or certificate?). Log in again (refresh the cloud CLI credentials"
                    + " or the kubeconfig) and rerun.", false, e);
            case 404 -> new StepFailure(op.object() + " not found" + ns + " (" + origin.describe() + "). Check the name and"
                    + " namespace: kubectl get " + plain(op.resource()) + (namespace == null ? "" : " -n " + namespace), false, e);
            case 409 -> new StepFailure("conflict on " + op.object() + ns + ": " + detail
                    + " (it changed while runbook was working on it; retrying usually helps)", true, e);
            case 400, 422 -> new StepFailure("the API server rejected '" + op.verb() + "' of " + op.object() + ns + ": " + detail
                    + ". Fix the manifest or parameters and rerun.", false, e);
            default -> other(op, e, code, detail, ns, origin);
        };
    }

    private static StepFailure other(Op op, KubernetesClientException e, int code, String detail, String ns,
                                     KubeClientFactory.Origin origin) {
        if (code <= 0) { // no HTTP answer at all
            return unreachable(op, e, origin);
        }
        if (code == 500 && rejectedManifest(detail)) {
            return new StepFailure("the API server rejected '" + op.verb() + "' of " + op.object() + ns + ": " + detail
                    + ". Fix the manifest or parameters and rerun.", false, e);
        }
        if (code >= 500) {
            return new StepFailure("the Kubernetes API server failed on '" + op.verb() + "' of " + op.object() + ns
                    + " (HTTP " + code + "): " + detail + ". It may be overloaded; retry, or check the control plane.", true, e);
        }
        return new StepFailure("'" + op.verb() + "' of " + op.object() + ns + " failed (HTTP " + code + "): " + detail, e);
    }

    /**
     * Before Kubernetes 1.22 a server-side apply whose manifest does not match the schema (an
     * unknown or misspelt field, a wrong type) is answered 500, not 422: retrying it only delays
     * the message the person needs ("field not declared in schema").
     */
    private static boolean rejectedManifest(String detail) {
        return detail != null && (detail.contains("failed to create typed patch object")
                || detail.contains("field not declared in schema") || detail.contains("failed to create typed live object"));
    }

    private static StepFailure forbidden(Op op, KubernetesClientException e, String serverMessage, String namespace,
                                         KubeClientFactory.Origin origin, String configuredUser) {
        String who = null;
        String verb = op.verb();
        String resource = op.resource();
        if (serverMessage != null) {
            Matcher user = USER.matcher(serverMessage);
            if (user.find()) {
                who = user.group(1);
            }
            Matcher denied = DENIED.matcher(serverMessage);
            if (denied.find()) {
                verb = denied.group(1);
                resource = denied.group(3) == null || denied.group(3).isEmpty()
                        ? denied.group(2) : denied.group(2) + "." + denied.group(3);
            }
        }
        if (who == null) {
            who = configuredUser != null ? configuredUser : "of " + origin.describe();
        }
        String ns = namespace == null ? "" : " in namespace " + namespace;
        return new StepFailure("forbidden: the service account/user " + who + " cannot " + verb + " " + resource + ns
                + " (RBAC), on " + op.object() + ". Ask a cluster admin for a Role/RoleBinding that allows it, or use a"
                + " context with more rights. Check with: kubectl auth can-i " + verb + " " + resource
                + (namespace == null ? "" : " -n " + namespace), false, e);
    }

    private static StepFailure unreachable(Op op, KubernetesClientException e, KubeClientFactory.Origin origin) {
        Throwable ssl = find(e, SSLException.class);
        if (ssl != null) {
            return new StepFailure("TLS verification of the Kubernetes API server at " + origin.server() + " failed ("
                    + origin.describe() + "): " + ssl.getMessage() + ". If the cluster uses a private CA, put it in the"
                    + " kubeconfig (certificate-authority-data); insecure-skip-tls-verify: true on the step skips the check.",
                    false, e);
        }
        boolean network = find(e, IOException.class) != null || find(e, TimeoutException.class) != null;
        String what = network ? "cannot reach the Kubernetes API server at " : "call to the Kubernetes API server at ";
        return new StepFailure(what + origin.server() + " (" + origin.describe() + ") while trying to " + op.verb() + " "
                + op.object() + ": " + rootMessage(e) + ". Check that the cluster is up and reachable from this machine"
                + " (VPN, firewall) and that this is the right context: kubectl"
                + (origin.context() == null ? "" : " --context " + origin.context()) + " cluster-info", true, e);
    }

    private static String plain(String resource) {
        int slash = resource.indexOf('/');
        return slash < 0 ? resource : resource.substring(0, slash);
    }

    private static <T extends Throwable> T find(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage();
        return m == null ? root.getClass().getSimpleName() : m;
    }
}
