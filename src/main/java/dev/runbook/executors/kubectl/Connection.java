package dev.runbook.executors.kubectl;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;

import java.util.ArrayList;
import java.util.List;

/**
 * The connection parameters every kubectl action accepts, and the pure text that says where an
 * action acts ("in namespace prod (context prod-eu)") for {@code describe()}.
 *
 * <p>Precedence, as with kubectl: the step's parameter, else the run's {@code kubernetes} target
 * setting of the same name, else the kubeconfig's current context and its namespace.
 */
final class Connection {

    static final String CONTEXT = "context";
    static final String NAMESPACE = "namespace";
    static final String KUBECONFIG = "kubeconfig";
    static final String INSECURE = "insecure-skip-tls-verify";

    private static final List<ParamSpec> SPECS = List.of(
            ParamSpec.optional(CONTEXT, ParamType.STRING, null,
                    "kubeconfig context; default: the target's, else the kubeconfig's current context"),
            ParamSpec.optional(NAMESPACE, ParamType.STRING, null,
                    "namespace; default: the target's, else the context's namespace, else 'default'"),
            ParamSpec.optional(KUBECONFIG, ParamType.STRING, null,
                    "kubeconfig file; default: the target's, $KUBECONFIG, ~/.kube/config, else the in-cluster service account"),
            ParamSpec.optional(INSECURE, ParamType.BOOL, false,
                    "skip TLS verification of the API server (only when you must; never the default)"));

    private Connection() {
    }

    /** The action's own parameters followed by the connection parameters. */
    static List<ParamSpec> params(ParamSpec... own) {
        List<ParamSpec> all = new ArrayList<>(List.of(own));
        all.addAll(SPECS);
        return List.copyOf(all);
    }

    /** " in namespace prod (context prod-eu)"; pure: the target is not known while planning. */
    static String where(Params params) {
        // the plan's "touches" line names the namespace the target and kubeconfig give
        StringBuilder out = new StringBuilder(params.has(NAMESPACE) ? " in namespace " + params.display(NAMESPACE)
                : " in the target's namespace");
        if (params.has(CONTEXT)) {
            out.append(" (context ").append(params.display(CONTEXT)).append(')');
        }
        return out.toString();
    }
}
