package dev.runbook.executors.kubectl;

import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads the objects to apply from {@code file}/{@code files} (relative to the runbook) or an
 * inline {@code manifest} (a mapping, a list of mappings, or a YAML string with several
 * documents). Parsing is Fabric8's, so known kinds come back typed.
 */
final class Manifests {

    private Manifests() {
    }

    /** The sources for describe(): "k8s/db.yaml, k8s/api.yaml" or "inline Deployment/db". Pure. */
    static String describeSources(Params params) {
        List<String> parts = new ArrayList<>();
        if (params.has("file")) {
            parts.add(params.display("file"));
        }
        if (params.raw("files") instanceof List<?> files) {
            files.forEach(f -> parts.add(Params.display(f)));
        } else if (params.has("files")) {
            parts.add(params.display("files")); // known at run time only
        }
        if (params.has("manifest")) {
            parts.add(describeInline(params.raw("manifest")));
        }
        return String.join(", ", parts);
    }

    private static String describeInline(Object manifest) {
        if (manifest instanceof Map<?, ?> m) {
            Object meta = m.get("metadata");
            Object name = meta instanceof Map<?, ?> mm ? mm.get("name") : null;
            return "inline " + m.get("kind") + "/" + (name == null ? "?" : Params.display(name));
        }
        if (manifest instanceof List<?> l) {
            return l.stream().map(Manifests::describeInline).toList().toString();
        }
        return "an inline manifest";
    }

    static List<HasMetadata> load(Params params, StepContext ctx, KubernetesClient client) throws StepFailure {
        List<HasMetadata> items = new ArrayList<>();
        List<String> files = new ArrayList<>();
        if (params.has("file")) {
            files.add(params.string("file"));
        }
        files.addAll(params.strings("files"));
        for (String file : files) {
            Path path = ctx.runbookDir().resolve(file).normalize();
            try (InputStream in = Files.newInputStream(path)) {
                items.addAll(parse(client, in, file));
            } catch (NoSuchFileException e) {
                throw new StepFailure("manifest file " + path + " does not exist (paths are relative to the runbook's directory "
                        + ctx.runbookDir() + ")", false, e);
            } catch (IOException e) {
                throw new StepFailure("cannot read manifest file " + path + ": " + e.getMessage(), false, e);
            }
        }
        if (params.has("manifest")) {
            Object inline = params.raw("manifest");
            String yaml = inline instanceof String s ? s : dump(inline);
            items.addAll(parse(client, new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "the inline manifest"));
        }
        if (items.isEmpty()) {
            throw new StepFailure("nothing to apply: give 'file', 'files' or 'manifest' with at least one object", false, null);
        }
        for (HasMetadata item : items) {
            if (item.getMetadata() == null || item.getMetadata().getName() == null || item.getKind() == null) {
                throw new StepFailure("every object to apply needs kind and metadata.name; one " + item.getKind()
                        + " has none", false, null);
            }
        }
        return items;
    }

    private static List<HasMetadata> parse(KubernetesClient client, InputStream in, String source) throws StepFailure {
        try {
            return client.load(in).items().stream().filter(java.util.Objects::nonNull).toList();
        } catch (KubernetesClientException | IllegalArgumentException | IllegalStateException e) {
            throw new StepFailure("cannot parse " + source + " as Kubernetes manifests: " + KubeErrors.rootMessage(e), false, e);
        }
    }

    /** An inline mapping (or list of them) back to YAML documents for Fabric8's parser. */
    private static String dump(Object inline) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        Yaml yaml = new Yaml(options);
        if (inline instanceof List<?> list) {
            return yaml.dumpAll(list.iterator());
        }
        return yaml.dump(inline);
    }
}
