package dev.runbook.executors.files;

import dev.runbook.spi.PrivateFiles;
import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Sha256;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code files.restore}: brings secret files and {@code .env} files back from storage into a
 * local directory. All files are downloaded and verified first; only when every one checks out
 * (checksum known and matching, no differing file in the way) is anything written, so a failed
 * restore leaves the directory as it was. Contents are never logged: names and sizes only.
 */
final class RestoreAction implements Action {

    /** What happens to one file. */
    private enum Change { CREATE, REPLACE, UNCHANGED }

    /** One downloaded, verified file waiting to be installed. */
    private record Planned(String name, Path target, Path downloaded, long size, boolean verified, Change change) {
    }

    @Override
    public String name() {
        return "restore";
    }

    @Override
    public String summary() {
        return "Restore secret files and .env files from storage (checksums verified, files 0600)";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.required("from", ParamType.STRING, "where the files are: s3://bucket/secrets/ or file:///dir/"),
                ParamSpec.required("to", ParamType.STRING, "local directory, relative to the runbook"),
                ParamSpec.optional("overwrite", ParamType.BOOL, false, "replace existing files whose content differs"),
                ParamSpec.optional("allow-unverified", ParamType.BOOL, false,
                        "restore files that have no recorded SHA-256 (neither metadata nor manifest)"),
                FilesParams.STORAGE);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("files", ParamType.LIST, "the restored file names, relative to `to`"),
                OutputSpec.of("changed", ParamType.INT, "how many files were created or replaced"));
    }

    @Override
    public boolean destructive(Params params) {
        return "true".equals(String.valueOf(params.raw("overwrite")));
    }

    @Override
    public String describe(Params params) {
        return "restore the files under " + params.display("from") + " into " + params.display("to")
                + " (0600, SHA-256 verified" + (destructive(params) ? ", REPLACING files that differ" :
                ", refusing to replace files that differ") + ")";
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        StorageUri from = StorageUri.parse(params.string("from"));
        Path to = context.runbookDir().resolve(params.string("to")).toAbsolutePath().normalize();
        boolean overwrite = params.bool("overwrite", false);
        boolean allowUnverified = params.bool("allow-unverified", false);
        String prefix = FilesParams.prefix(from);

        Path staging = Files.createTempDirectory(context.scratchDir(), "files-restore-",
                PosixFilePermissions.asFileAttribute(PrivateFiles.DIR_MODE));
        try (ObjectStore store = ObjectStores.open(from, FilesParams.storageOptions(params, context), context.env())) {
            List<ObjectInfo> objects = store.list(prefix).stream()
                    .filter(o -> !o.key().equals(prefix + FilesManifest.NAME)).toList();
            if (objects.isEmpty()) {
                throw new StepFailure("no files under " + params.string("from") + "; check the location (a backup "
                        + "made with files.backup has " + FilesManifest.NAME + " there)", false, null);
            }
            Optional<FilesManifest> manifest = readManifest(store, prefix);
            List<Planned> planned = new ArrayList<>();
            List<String> problems = new ArrayList<>();
            for (ObjectInfo object : objects) {
                Planned p = fetch(store, object, prefix, to, staging, manifest, problems);
                if (p != null) {
                    planned.add(p);
                }
            }
            manifest.ifPresent(m -> m.files().keySet().stream()
                    .filter(name -> objects.stream().noneMatch(o -> o.key().equals(prefix + name)))
                    .forEach(name -> problems.add(name + ": listed in the manifest but missing from the store")));
            List<String> unverified = planned.stream().filter(p -> !p.verified()).map(Planned::name).toList();
            if (!unverified.isEmpty() && !allowUnverified) {
                problems.add("no recorded SHA-256 for " + String.join(", ", unverified)
                        + " (no `sha256` metadata and no manifest entry): re-export them with files.backup, or set "
                        + "allow-unverified: true to restore them anyway");
            }
            List<String> conflicts = planned.stream().filter(p -> p.change() == Change.REPLACE)
                    .map(Planned::name).toList();
            if (!conflicts.isEmpty() && !overwrite) {
                problems.add("existing file" + (conflicts.size() > 1 ? "s " : " ") + String.join(", ", conflicts)
                        + " in " + to + " differ from the stored copy: compare them by hand, or set overwrite: true "
                        + "to replace them");
            }
            if (!problems.isEmpty()) {
                throw new StepFailure("nothing was restored from " + params.string("from") + " into " + to + ": "
                        + String.join("; ", problems), false, null);
            }
            return install(planned, to, context);
        } finally {
            PrivateFiles.deleteTree(staging);
        }
    }

    private static Optional<FilesManifest> readManifest(ObjectStore store, String prefix) throws IOException {
        if (store.stat(prefix + FilesManifest.NAME).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = store.open(prefix + FilesManifest.NAME)) {
            return Optional.of(FilesManifest.read(in));
        }
    }

    /** Downloads one object to the staging area, checks it, and decides what to do with it. */
    private static Planned fetch(ObjectStore store, ObjectInfo object, String prefix, Path to, Path staging,
                                 Optional<FilesManifest> manifest, List<String> problems) throws IOException {
        String name = object.key().substring(prefix.length());
        Path target = to.resolve(name).normalize();
        if (!FilesParams.safeRelative(name) || !target.startsWith(to)) {
            problems.add(name + ": name would land outside " + to);
            return null;
        }
        String expected = store.stat(object.key()).map(i -> i.metadata().get(Sha256.METADATA_KEY))
                .filter(s -> !s.isBlank())
                .or(() -> manifest.map(m -> m.files().get(name)).map(FilesManifest.Entry::sha256))
                .orElse(null);
        Path downloaded = Files.createTempFile(staging, "object-", "",
                PosixFilePermissions.asFileAttribute(PrivateFiles.FILE_MODE));
        MessageDigest digest = Sha256.digest();
        long size;
        try (InputStream in = new DigestInputStream(store.open(object.key()), digest);
             OutputStream out = Files.newOutputStream(downloaded)) {
            size = in.transferTo(out);
        }
        String actual = Sha256.hex(digest);
        if (expected != null && !expected.equalsIgnoreCase(actual)) {
            problems.add(name + ": SHA-256 mismatch (the stored copy is corrupt or was changed after the backup; "
                    + "expected " + expected + ", got " + actual + ")");
            return null;
        }
        Change change = Change.CREATE;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                problems.add(name + ": " + target + " exists and is not a regular file (a directory or a link)");
                return null;
            }
            change = Sha256.hex(Files.readAllBytes(target)).equals(actual) ? Change.UNCHANGED : Change.REPLACE;
        }
        return new Planned(name, target, downloaded, size, expected != null, change);
    }

    private static Outputs install(List<Planned> planned, Path to, StepContext context) throws IOException {
        PrivateFiles.createDirectories(to);
        List<String> names = new ArrayList<>();
        int changed = 0;
        for (Planned p : planned) {
            String check = p.verified() ? "SHA-256 verified" : "UNVERIFIED: no checksum recorded";
            switch (p.change()) {
                case UNCHANGED -> {
                    boolean narrowed = PrivateFiles.restrict(p.target());
                    context.log().info("unchanged " + p.name() + " (" + p.size() + " bytes, " + check + ")"
                            + (narrowed ? "; permissions narrowed to 0600" : ""));
                }
                case CREATE, REPLACE -> {
                    PrivateFiles.install(p.downloaded(), p.target());
                    changed++;
                    context.log().info((p.change() == Change.CREATE ? "restored " : "replaced ") + p.name()
                            + " (" + p.size() + " bytes, " + check + ")");
                }
            }
            if (!p.verified()) {
                context.log().warn(p.name() + " has no recorded checksum: it could not be verified");
            }
            names.add(p.name());
        }
        context.log().info(names.size() + " file(s) in " + to + ", " + changed + " changed");
        return Outputs.none().put("files", names).put("changed", (long) changed);
    }

}
