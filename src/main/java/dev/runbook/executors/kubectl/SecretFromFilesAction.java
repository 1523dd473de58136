package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * {@code kubectl create secret generic NAME --from-file=...} as create-or-update. The files'
 * contents never reach the log, the plan, the outputs or an error message: only key names do.
 * Text contents are registered with the engine as secrets, so a later tool echoing them is masked.
 */
final class SecretFromFilesAction implements Action {

    /** The API server's limit for one Secret. */
    static final long MAX_BYTES = 1024 * 1024;

    private final KubeClientFactory factory;

    SecretFromFilesAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "secret-from-files";
    }

    @Override
    public String summary() {
        return "Create or update a Secret from local files (contents are never shown)";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.required("name", ParamType.STRING, "secret name"),
                ParamSpec.optional("files", ParamType.MAP, null, "key -> file path (relative to the runbook)")
                        .ofValues(ParamSpec.element(ParamType.STRING, "a file path, relative to the runbook")),
                ParamSpec.optional("dir", ParamType.STRING, null, "a directory: one key per regular file, named after it"),
                ParamSpec.optional("type", ParamType.STRING, "Opaque", "secret type"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("keys", ParamType.LIST, "the keys the secret holds"),
                OutputSpec.of("result", ParamType.STRING, "created, changed or unchanged"));
    }

    @Override
    public String describe(Params params) {
        String from = params.raw("files") instanceof Map<?, ?> files
                ? "files (keys: " + String.join(", ", new java.util.TreeSet<>(files.keySet().stream().map(String::valueOf).toList())) + ")"
                : "every file in " + params.display("dir", "<files or dir missing>") + " (one key per file)";
        return "create or update secret " + params.display("name") + Connection.where(params) + " from " + from + "; values not shown";
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        if (params.has("files") == params.has("dir")) {
            throw new StepFailure("secret-from-files needs exactly one of 'files' or 'dir'", false, null);
        }
        String name = params.string("name");
        Map<String, String> data = read(params, ctx);
        String type = params.string("type", "Opaque");
        try (KubeSession s = factory.open(params, ctx)) {
            String label = "secret/" + name;
            var secrets = s.client().secrets().inNamespace(s.namespace());
            Secret live = s.call(new Op("get", "secrets", label), () -> secrets.withName(name).get());
            Secret wanted = new Secret();
            wanted.setApiVersion("v1");
            wanted.setKind("Secret");
            ObjectMeta meta = new ObjectMeta();
            meta.setName(name);
            meta.setNamespace(s.namespace());
            wanted.setMetadata(meta);
            wanted.setType(type);
            wanted.setData(data);
            String result;
            if (live == null) {
                s.call(new Op("create", "secrets", label), () -> secrets.resource(wanted).create());
                result = "created";
            } else if (Objects.equals(live.getData(), data) && Objects.equals(live.getType(), type)) {
                result = "unchanged";
            } else {
                meta.setResourceVersion(live.getMetadata().getResourceVersion());
                meta.setLabels(live.getMetadata().getLabels());
                meta.setAnnotations(live.getMetadata().getAnnotations());
                s.call(new Op("update", "secrets", label), () -> secrets.resource(wanted).update());
                result = "changed";
            }
            List<String> keys = List.copyOf(data.keySet());
            ctx.log().info(label + " in namespace " + s.namespace() + ": " + result + " (keys: " + String.join(", ", keys) + ")");
            return Outputs.none().put("keys", keys).put("result", result);
        }
    }

    /** key -> base64 content, sorted by key. Error messages name files, never their contents. */
    private static Map<String, String> read(Params params, StepContext ctx) throws StepFailure {
        Map<String, Path> sources = new TreeMap<>();
        if (params.has("files")) {
            params.map("files").forEach((k, v) -> sources.put(k, ctx.runbookDir().resolve(String.valueOf(v)).normalize()));
        } else {
            Path dir = ctx.runbookDir().resolve(params.string("dir")).normalize();
            if (!Files.isDirectory(dir)) {
                throw new StepFailure("directory " + dir + " does not exist", false, null);
            }
            try (Stream<Path> list = Files.list(dir)) {
                list.filter(Files::isRegularFile).forEach(p -> sources.put(p.getFileName().toString(), p));
            } catch (IOException e) {
                throw new StepFailure("cannot list " + dir + ": " + e.getMessage(), false, e);
            }
        }
        if (sources.isEmpty()) {
            throw new StepFailure("no files to put in the secret", false, null);
        }
        Map<String, String> data = new TreeMap<>();
        long total = 0;
        for (Map.Entry<String, Path> e : sources.entrySet()) {
            if (!e.getKey().matches("[-._a-zA-Z0-9]+")) {
                throw new StepFailure("'" + e.getKey() + "' is not a valid secret key (letters, digits, '-', '_', '.')", false, null);
            }
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(e.getValue());
            } catch (IOException ex) {
                throw new StepFailure("cannot read " + e.getValue() + " for key '" + e.getKey() + "': "
                        + ex.getClass().getSimpleName(), false, null);
            }
            total += bytes.length;
            if (total > MAX_BYTES) {
                throw new StepFailure("the files add up to more than 1 MiB, the most a Secret can hold", false, null);
            }
            registerSecret(ctx, bytes);
            data.put(e.getKey(), Base64.getEncoder().encodeToString(bytes));
        }
        return data;
    }

    /** Text values are masked by the engine from now on; binary ones cannot appear in a log line anyway. */
    private static void registerSecret(StepContext ctx, byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString().strip();
            if (!text.isEmpty()) {
                ctx.addSecret(text);
            }
        } catch (CharacterCodingException binary) {
            // not text
        }
    }
}
