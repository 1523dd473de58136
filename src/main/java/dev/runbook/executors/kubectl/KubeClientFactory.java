package dev.runbook.executors.kubectl;

import dev.runbook.spi.Params;
import dev.runbook.spi.Resolved;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.NamedContext;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a Fabric8 client the way kubectl finds its cluster: an explicit kubeconfig (step
 * parameter or target setting), else {@code $KUBECONFIG} from the run's environment, else
 * {@code ~/.kube/config}, else the in-cluster service account. Context and namespace come from
 * the step, else the target, else the kubeconfig.
 *
 * <p>It reads the run's environment ({@link StepContext#env()}), not the JVM's, so a runbook
 * run with {@code KUBECONFIG=...} in its environment talks to that cluster. TLS is verified
 * unless the step sets {@code insecure-skip-tls-verify: true}, even when the kubeconfig's
 * cluster entry asks to skip it (the user must ask for it by name).
 */
class KubeClientFactory {

    static final Path SERVICE_ACCOUNT_DIR = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

    private final Path serviceAccountDir;

    KubeClientFactory() {
        this(SERVICE_ACCOUNT_DIR);
    }

    /** Package-visible so a test can point the in-cluster lookup at a directory of its own. */
    KubeClientFactory(Path serviceAccountDir) {
        this.serviceAccountDir = serviceAccountDir;
    }

    /** Where the configuration came from, for error messages ("kubeconfig /x, context prod"). */
    record Origin(Path kubeconfig, String context, String server) {
        String describe() {
            String from = kubeconfig == null ? "in-cluster service account" : "kubeconfig " + kubeconfig;
            return context == null ? from : from + ", context " + context;
        }
    }

    KubeSession open(Params params, StepContext ctx) throws StepFailure {
        String context = setting(params, ctx, Connection.CONTEXT);
        String namespace = setting(params, ctx, Connection.NAMESPACE);
        boolean insecure = params.bool(Connection.INSECURE, false);

        Path kubeconfig = kubeconfigPath(params, ctx);
        Config config;
        Origin origin;
        if (kubeconfig != null) {
            config = fromKubeconfig(kubeconfig, context, ctx);
            String used = config.getCurrentContext() == null ? context : config.getCurrentContext().getName();
            origin = new Origin(kubeconfig, used, config.getMasterUrl());
        } else if (inClusterAvailable(ctx)) {
            config = inCluster(ctx);
            origin = new Origin(null, null, config.getMasterUrl());
        } else {
            throw new StepFailure(noConfiguration(ctx), false, null);
        }

        if (Boolean.TRUE.equals(config.getTrustCerts()) && !insecure) {
            ctx.log().warn("the kubeconfig asks to skip TLS verification for " + config.getMasterUrl()
                    + "; runbook verifies it anyway (set insecure-skip-tls-verify: true on the step to skip it)");
        }
        config.setTrustCerts(insecure);
        config.setDisableHostnameVerification(insecure);
        if (insecure) {
            ctx.log().warn("TLS verification of " + config.getMasterUrl() + " is OFF (insecure-skip-tls-verify: true)");
        }
        if (namespace != null) {
            config.setNamespace(namespace);
        } else if (config.getNamespace() == null) {
            config.setNamespace("default");
        }
        // The engine retries steps itself; Fabric8's default of 10 backed-off retries would keep an
        // on-call engineer waiting minutes for "connection refused".
        config.setRequestRetryBackoffLimit(2);
        config.setConnectionTimeout(10_000);

        KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
        return new KubeSession(client, config.getNamespace(), origin, config.getUsername());
    }

    /**
     * For the plan: "Kubernetes context prod-eu (server https://..., kubeconfig ~/.kube/config),
     * namespace shop", and the context and namespace resolved (for describe), or why they cannot
     * be. Parses the kubeconfig as data only: no connection and no credential plugin (exec) is
     * run, unlike building a client.
     */
    Resolved resolve(Params params, StepContext ctx) {
        boolean contextDeferred = params.isDeferred(Connection.CONTEXT);
        String namespace = params.isDeferred(Connection.NAMESPACE) ? params.display(Connection.NAMESPACE)
                : setting(params, ctx, Connection.NAMESPACE);
        String context = contextDeferred ? params.display(Connection.CONTEXT) : setting(params, ctx, Connection.CONTEXT);
        Path kubeconfig;
        try {
            kubeconfig = kubeconfigPath(params, ctx);
        } catch (StepFailure | RuntimeException e) {
            return Resolved.problem(e.getMessage());
        }
        if (kubeconfig == null) {
            if (!inClusterAvailable(ctx)) {
                return Resolved.problem(noConfiguration(ctx));
            }
            return resolved("Kubernetes: the in-cluster service account's cluster, namespace "
                    + (namespace == null ? "of the pod" : namespace), params, null, namespace);
        }
        if (contextDeferred) {
            return resolved("Kubernetes context " + context + " (kubeconfig " + kubeconfig + "), namespace "
                    + (namespace == null ? "of that context" : namespace), params, null, namespace);
        }
        String server = "unknown server";
        try {
            io.fabric8.kubernetes.api.model.Config parsed =
                    io.fabric8.kubernetes.client.internal.KubeConfigUtils.parseConfigFromString(
                            Files.readString(kubeconfig, StandardCharsets.UTF_8));
            String name = context != null ? context : parsed.getCurrentContext();
            List<NamedContext> contexts = parsed.getContexts() == null ? List.of() : parsed.getContexts();
            NamedContext named = contexts.stream().filter(c -> c.getName().equals(name)).findFirst().orElse(null);
            if (named == null) {
                List<String> names = contexts.stream().map(NamedContext::getName).toList();
                return Resolved.problem(name == null || name.isEmpty()
                        ? "kubeconfig " + kubeconfig + " has no current context; set 'context' on the step or target"
                                + (names.isEmpty() ? "" : " (one of: " + String.join(", ", names) + ")")
                        : "context '" + name + "' is not in kubeconfig " + kubeconfig
                                + " (it has: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
            }
            context = name;
            String cluster = named.getContext().getCluster();
            if (parsed.getClusters() != null) {
                server = parsed.getClusters().stream().filter(c -> c.getName().equals(cluster)).findFirst()
                        .map(c -> c.getCluster().getServer()).orElse(server);
            }
            if (namespace == null) {
                namespace = named.getContext().getNamespace() != null ? named.getContext().getNamespace() : "default";
            }
        } catch (IOException | RuntimeException e) {
            return Resolved.problem("cannot read kubeconfig " + kubeconfig + " (" + e.getMessage() + ")");
        }
        return resolved("Kubernetes context " + context + " (server " + server + ", kubeconfig " + kubeconfig + "), namespace "
                + namespace, params, context, namespace);
    }

    /** The line, and the context and namespace the step leaves out, as resolved (run-time values are not filled in). */
    private static Resolved resolved(String line, Params params, String context, String namespace) {
        Map<String, Object> settings = new java.util.LinkedHashMap<>();
        if (context != null && !params.has(Connection.CONTEXT)) {
            settings.put(Connection.CONTEXT, context);
        }
        if (namespace != null && !params.has(Connection.NAMESPACE)) {
            settings.put(Connection.NAMESPACE, namespace);
        }
        return new Resolved(List.of(line), settings, List.of());
    }

    private static String noConfiguration(StepContext ctx) {
        return "no Kubernetes configuration found: $KUBECONFIG is not set, " + home(ctx).resolve(".kube/config")
                + " does not exist and this is not a pod with a service account."
                + " Set 'kubeconfig' on the step or the target, or export KUBECONFIG.";
    }

    /** The step's parameter, else the kubernetes target's setting of the same name, else null. */
    static String setting(Params params, StepContext ctx, String name) {
        String own = params.string(name);
        if (own != null && !own.isBlank()) {
            return own;
        }
        if (ctx.target() != null && "kubernetes".equals(ctx.target().kind())) {
            String fromTarget = ctx.target().setting(name, null);
            if (fromTarget != null && !fromTarget.isBlank()) {
                return fromTarget;
            }
        }
        return null;
    }

    /** The kubeconfig file to use, or null to try the in-cluster service account. */
    Path kubeconfigPath(Params params, StepContext ctx) throws StepFailure {
        String explicit = setting(params, ctx, Connection.KUBECONFIG);
        if (explicit != null) {
            Path path = expand(explicit, ctx);
            if (!Files.isRegularFile(path)) {
                throw new StepFailure("kubeconfig " + path + " (from the step or target setting 'kubeconfig') does not exist", false, null);
            }
            return path;
        }
        String fromEnv = ctx.env().get("KUBECONFIG");
        if (fromEnv != null && !fromEnv.isBlank()) {
            List<Path> candidates = new ArrayList<>();
            for (String part : fromEnv.split(File.pathSeparator)) {
                if (!part.isBlank()) {
                    // like kubectl: relative entries in $KUBECONFIG are relative to the working directory
                    Path path = part.startsWith("~") ? expand(part, ctx) : Path.of(part).toAbsolutePath();
                    candidates.add(path);
                    if (Files.isRegularFile(path)) {
                        // kubectl merges every file listed; the first one holds the cluster in practice
                        return path;
                    }
                }
            }
            throw new StepFailure("KUBECONFIG is set but none of its files exists: " + candidates, false, null);
        }
        Path home = home(ctx).resolve(".kube").resolve("config");
        return Files.isRegularFile(home) ? home : null;
    }

    // Fabric8 marks Config.fromKubeconfig(context, contents, path) for removal without a replacement
    // that takes the file's text and its path (relative credentials resolve against the path)
    @SuppressWarnings("removal")
    private Config fromKubeconfig(Path path, String context, StepContext ctx) throws StepFailure {
        String contents;
        try {
            contents = Files.readString(path, StandardCharsets.UTF_8);
        } catch (IOException | UncheckedIOException e) {
            throw new StepFailure("cannot read kubeconfig " + path + ": " + e.getMessage(), false, e);
        }
        Config config;
        try {
            config = Config.fromKubeconfig(context, contents, path.toString());
        } catch (KubernetesClientException | IllegalArgumentException e) {
            throw new StepFailure("cannot use kubeconfig " + path + ": " + e.getMessage(), false, e);
        }
        List<String> names = config.getContexts() == null ? List.of()
                : config.getContexts().stream().map(NamedContext::getName).toList();
        if (context != null && !names.contains(context)) {
            throw new StepFailure("context '" + context + "' is not in kubeconfig " + path
                    + " (it has: " + String.join(", ", names) + ")", false, null);
        }
        if (config.getMasterUrl() == null || config.getCurrentContext() == null) {
            throw new StepFailure("kubeconfig " + path + " has no current context; set 'context' on the step or target"
                    + (names.isEmpty() ? "" : " (one of: " + String.join(", ", names) + ")"), false, null);
        }
        return config;
    }

    private boolean inClusterAvailable(StepContext ctx) {
        Map<String, String> env = ctx.env();
        return env.get("KUBERNETES_SERVICE_HOST") != null && Files.isRegularFile(serviceAccountDir.resolve("token"));
    }

    /** The pod's own service account, as kubectl does in a pod; the token is re-read per request (it rotates). */
    private Config inCluster(StepContext ctx) throws StepFailure {
        String host = ctx.env().get("KUBERNETES_SERVICE_HOST");
        String port = ctx.env().getOrDefault("KUBERNETES_SERVICE_PORT", "443");
        Config config = Config.empty();
        config.setMasterUrl("https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/");
        Path ca = serviceAccountDir.resolve("ca.crt");
        if (Files.isRegularFile(ca)) {
            config.setCaCertFile(ca.toString());
        }
        Path token = serviceAccountDir.resolve("token");
        config.setOauthTokenProvider(() -> {
            try {
                return Files.readString(token, StandardCharsets.UTF_8).trim();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        Path ns = serviceAccountDir.resolve("namespace");
        try {
            if (Files.isRegularFile(ns)) {
                config.setNamespace(Files.readString(ns, StandardCharsets.UTF_8).trim());
            }
        } catch (IOException e) {
            throw new StepFailure("cannot read the service account namespace " + ns + ": " + e.getMessage(), false, e);
        }
        return config;
    }

    private static Path expand(String path, StepContext ctx) {
        if (path.equals("~") || path.startsWith("~/")) {
            return home(ctx).resolve(path.substring(Math.min(2, path.length())));
        }
        Path p = Path.of(path);
        return p.isAbsolute() ? p : ctx.runbookDir().resolve(p).normalize();
    }

    private static Path home(StepContext ctx) {
        String home = ctx.env().get("HOME");
        return Path.of(home != null ? home : System.getProperty("user.home"));
    }
}
