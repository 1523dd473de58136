package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.ByteSizes;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Outputs;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Uploads a local file to an object, recording its SHA-256 as metadata {@code sha256}. */
final class UploadAction implements Action {

    @Override
    public String name() {
        return "upload";
    }

    @Override
    public String summary() {
        return "upload a local file to s3://bucket/key (or file:///dir/name), with its SHA-256 as metadata";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.withWrite(List.of(
                ParamSpec.required("from", ParamType.STRING, "local file to upload (relative to the runbook)"),
                ParamSpec.required("to", ParamType.STRING, "object to write: s3://bucket/key or file:///dir/name"),
                ParamSpec.optional("metadata", ParamType.MAP, null, "extra user metadata (x-amz-meta-*)")
                        .ofValues(ParamSpec.element(ParamType.STRING, "the metadata value")),
                ParamSpec.optional("overwrite", ParamType.BOOL, false, "replace an existing object at the key")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("uri", ParamType.STRING, "the uploaded object"),
                OutputSpec.of("size", ParamType.INT, "bytes uploaded"),
                OutputSpec.of("sha256", ParamType.STRING, "SHA-256 of the content (hex)"));
    }

    @Override
    public boolean destructive(Params params) {
        return !params.isDeferred("overwrite") && params.bool("overwrite", false);
    }

    @Override
    public String describe(Params params) {
        return "upload " + params.display("from") + " to " + params.display("to")
                + (destructive(params) ? ", replacing any object there" : "")
                + StoreParams.endpointNote(params) + " (SHA-256 recorded as metadata)";
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Path from = context.runbookDir().resolve(params.string("from"));
        Location to = Location.param(params, "to");
        if (!Files.isRegularFile(from) || !Files.isReadable(from)) {
            throw new StepFailure("cannot upload " + from + ": no such readable file", false, null);
        }
        long size = Files.size(from);
        // the checksum goes into the object's metadata, which S3 takes before the first byte
        String sha256;
        try (InputStream in = Files.newInputStream(from)) {
            sha256 = Transfer.copy(in, null, context, "checksum", size).sha256();
        }
        Map<String, String> metadata = new HashMap<>();
        params.map("metadata").forEach((k, v) -> metadata.put(k, String.valueOf(v)));
        metadata.put("sha256", sha256);

        try (ObjectStore store = StoreParams.open(to, params, context)) {
            if (!params.bool("overwrite", false) && store.stat(to.key()).isPresent()) {
                throw new StepFailure(to.uri() + " already exists; choose another key or set overwrite: true", false, null);
            }
            context.log().info("uploading " + from + " (" + ByteSizes.human(size) + ") to " + to.uri());
            ObjectInfo info;
            try (InputStream in = Files.newInputStream(from);
                 ObjectStore.Upload upload = store.startUpload(to.key(), metadata, size)) {
                Transfer.Result sent = Transfer.copy(in, upload.stream(), context, "upload", size);
                if (!sent.sha256().equals(sha256)) {
                    throw new StepFailure(from + " changed while it was being uploaded; nothing was stored", true, null);
                }
                info = upload.commit();
            }
            if (info.size() != size) {
                throw new StepFailure(to.uri() + " has " + info.size() + " bytes after upload, expected " + size, true, null);
            }
            context.log().info("uploaded " + to.uri() + " sha256 " + sha256);
            return Outputs.none().put("uri", to.uri()).put("size", size).put("sha256", sha256);
        } catch (IOException e) {
            throw Failures.of(e, to.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }
}
