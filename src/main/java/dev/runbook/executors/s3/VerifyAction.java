package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Re-reads an object and checks its SHA-256 against the recorded one, streaming, with no local copy. */
final class VerifyAction implements Action {

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "recompute an object's SHA-256 and compare it with its manifest or metadata";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("object", ParamType.STRING, "object to check: s3://bucket/key or file:///dir/name"),
                ParamSpec.optional("sha256", ParamType.STRING, null,
                        "expected SHA-256 (hex); default: the object's sha256 metadata, else its manifest")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("sha256", ParamType.STRING, "SHA-256 of the content (hex)"),
                OutputSpec.of("size", ParamType.INT, "bytes read"));
    }

    @Override
    public String describe(Params params) {
        return "read " + params.display("object") + " and check its SHA-256 against "
                + (params.has("sha256") ? params.display("sha256") : "its manifest or metadata")
                + StoreParams.endpointNote(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Location object = Location.param(params, "object");
        try (ObjectStore store = StoreParams.open(object, params, context)) {
            ObjectInfo info = store.stat(object.key()).orElseThrow(() ->
                    new StepFailure("no object at " + object.uri() + "; check the location (s3.list shows what is there)",
                            false, null));
            Optional<RecordedChecksum> expected = params.has("sha256")
                    ? Optional.of(new RecordedChecksum(params.string("sha256").trim().toLowerCase(Locale.ROOT), "the sha256 parameter"))
                    : RecordedChecksum.find(store, info);
            if (expected.isEmpty()) {
                throw new StepFailure("nothing to verify " + object.uri() + " against: it has no sha256 metadata and no "
                        + "manifest with a sha256; pass the expected value as sha256:", false, null);
            }
            Transfer.Result got;
            try (InputStream in = store.open(object.key())) {
                got = Transfer.copy(in, null, context, "verify", info.size());
            }
            if (!got.sha256().equals(expected.get().sha256())) {
                throw new StepFailure("SHA-256 mismatch for " + object.uri() + ": content hashes to " + got.sha256()
                        + " but " + expected.get().source() + " records " + expected.get().sha256()
                        + "; the backup is corrupt or was replaced. Do not restore it: pick another backup", false, null);
            }
            if (got.size() != info.size()) {
                throw new StepFailure("read " + got.size() + " of " + info.size() + " bytes of " + object.uri(), true, null);
            }
            context.log().info(object.uri() + ": SHA-256 matches " + expected.get().source() + " (" + got.sha256() + ")");
            return Outputs.none().put("sha256", got.sha256()).put("size", got.size());
        } catch (IOException e) {
            throw Failures.of(e, object.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }
}
