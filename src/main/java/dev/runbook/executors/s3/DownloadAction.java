package dev.runbook.executors.s3;

import dev.runbook.spi.PrivateFiles;
import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.ByteSizes;
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
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Downloads an object to a private local file (0600 in a 0700 directory): dumps hold the
 * database's data. The file appears under its name only once complete and, when a SHA-256 was
 * recorded, verified.
 */
final class DownloadAction implements Action {

    @Override
    public String name() {
        return "download";
    }

    @Override
    public String summary() {
        return "download an object to a private local file, verifying its recorded SHA-256";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("from", ParamType.STRING, "object to download: s3://bucket/key or file:///dir/name"),
                ParamSpec.optional("to", ParamType.STRING, null,
                        "local file to write (default: the run's private scratch directory)"),
                ParamSpec.optional("overwrite", ParamType.BOOL, false, "replace an existing local file"),
                ParamSpec.optional("verify", ParamType.BOOL, true,
                        "check the SHA-256 recorded in metadata or the manifest, when there is one")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("path", ParamType.STRING, "the local file"),
                OutputSpec.of("size", ParamType.INT, "bytes downloaded"),
                OutputSpec.of("sha256", ParamType.STRING, "SHA-256 of the content (hex)"),
                OutputSpec.of("verified", ParamType.BOOL, "whether a recorded SHA-256 was found and matched"));
    }

    @Override
    public boolean destructive(Params params) {
        return !params.isDeferred("overwrite") && params.bool("overwrite", false);
    }

    @Override
    public String describe(Params params) {
        String to = params.has("to") ? params.display("to") : "the run's private scratch directory";
        return "download " + params.display("from") + " to " + to
                + (destructive(params) ? ", replacing the local file if present" : "")
                + StoreParams.endpointNote(params) + ", checking its recorded SHA-256";
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Location from = Location.param(params, "from");
        if (from.key().isEmpty() || from.key().endsWith("/")) {
            throw new StepFailure("'" + params.string("from") + "' names a prefix, not an object", false, null);
        }
        Path target = params.has("to") ? context.runbookDir().resolve(params.string("to"))
                : context.scratchDir().resolve(from.fileName());
        boolean overwrite = params.bool("overwrite", false);
        if (Files.exists(target) && !overwrite) {
            throw new StepFailure(target + " already exists; remove it, choose another 'to', or set overwrite: true", false, null);
        }
        try (ObjectStore store = StoreParams.open(from, params, context)) {
            ObjectInfo info = store.stat(from.key()).orElseThrow(() ->
                    new StepFailure("no object at " + from.uri() + "; check the location (s3.list shows what is there)",
                            false, null));
            Optional<RecordedChecksum> recorded = params.bool("verify", true)
                    ? RecordedChecksum.find(store, info) : Optional.empty();
            createDirectories(target.getParent(), context);
            Path partial = target.resolveSibling("." + target.getFileName() + ".partial");
            Files.deleteIfExists(partial);
            Transfer.Result got;
            // created owner-only before the first byte lands
            PrivateFiles.createFile(partial);
            try (InputStream in = store.open(from.key());
                 OutputStream out = Files.newOutputStream(partial, StandardOpenOption.WRITE)) {
                context.log().info("downloading " + from.uri() + " (" + ByteSizes.human(info.size()) + ") to " + target);
                got = Transfer.copy(in, out, context, "download", info.size());
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(partial);
                throw e;
            }
            if (recorded.isPresent() && !recorded.get().sha256().equals(got.sha256())) {
                Files.deleteIfExists(partial);
                throw new StepFailure("SHA-256 mismatch for " + from.uri() + ": downloaded " + got.sha256()
                        + " but " + recorded.get().source() + " records " + recorded.get().sha256()
                        + "; the object is corrupt or was replaced. Do not restore it: pick another backup", false, null);
            }
            if (got.size() != info.size()) {
                Files.deleteIfExists(partial);
                throw new StepFailure("download of " + from.uri() + " stopped at " + got.size() + " of " + info.size()
                        + " bytes; try again", true, null);
            }
            PrivateFiles.replace(partial, target);
            if (recorded.isPresent()) {
                context.log().info("SHA-256 matches " + recorded.get().source() + ": " + got.sha256());
            } else if (params.bool("verify", true)) {
                context.log().warn("no SHA-256 recorded for " + from.uri() + " (no sha256 metadata, no manifest); not verified");
            }
            return Outputs.none().put("path", target.toString()).put("size", got.size())
                    .put("sha256", got.sha256()).put("verified", recorded.isPresent());
        } catch (IOException e) {
            throw Failures.of(e, from.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }

    /** Creates missing directories 0700; warns when the existing target directory is open to others. */
    private static void createDirectories(Path dir, StepContext context) throws IOException {
        if (dir != null && Files.isDirectory(dir)) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.stream().anyMatch(p -> p.name().startsWith("GROUP") || p.name().startsWith("OTHERS"))) {
                context.log().warn(dir + " is accessible to other users (" + PosixFilePermissions.toString(perms)
                        + "); the downloaded file itself is 0600");
            }
        }
        PrivateFiles.createDirectories(dir);
    }
}
