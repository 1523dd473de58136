package dev.runbook.executors.files;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Sha256;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * {@code files.backup}: uploads a directory's secret and {@code .env} files to a storage
 * location, each with its SHA-256 as {@code sha256} metadata, plus a manifest of all of them,
 * so {@code files.restore} can verify every byte. Contents are never logged.
 */
final class BackupAction implements Action {

    /** These are small config and secret files; a big one is almost certainly a mistake. */
    static final long MAX_FILE_BYTES = 16L * 1024 * 1024;

    @Override
    public String name() {
        return "backup";
    }

    @Override
    public String summary() {
        return "Upload secret files and .env files to storage with their SHA-256";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.required("from", ParamType.STRING, "local directory, relative to the runbook"),
                ParamSpec.optional("include", ParamType.LIST, List.of(),
                        "files or sub-directories of `from` to upload, e.g. [secrets/, .env]; empty: everything")
                        .ofItems(ParamSpec.element(ParamType.STRING, "a path relative to `from`")),
                ParamSpec.required("to", ParamType.STRING, "where to put them: s3://bucket/secrets/ or file:///dir/"),
                FilesParams.STORAGE);
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("files", ParamType.LIST, "the uploaded file names, relative to `from`"),
                OutputSpec.of("bytes", ParamType.INT, "total size uploaded"));
    }

    @Override
    public String describe(Params params) {
        Object include = params.raw("include");
        String what = include instanceof List<?> l && !l.isEmpty()
                ? String.join(", ", l.stream().map(Params::display).toList()) + " of " + params.display("from")
                : "every file under " + params.display("from");
        return "upload " + what + " to " + params.display("to") + " with SHA-256 checksums and a manifest";
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Path from = context.runbookDir().resolve(params.string("from")).toAbsolutePath().normalize();
        if (!Files.isDirectory(from)) {
            throw new StepFailure("cannot back up " + from + ": not a directory (paths are relative to the runbook's "
                    + "directory " + context.runbookDir() + ")", false, null);
        }
        List<String> names = collect(from, params.strings("include"), context);
        if (names.isEmpty()) {
            throw new StepFailure("no files to back up in " + from, false, null);
        }
        StorageUri to = StorageUri.parse(params.string("to"));
        String prefix = FilesParams.prefix(to);
        Map<String, FilesManifest.Entry> entries = new LinkedHashMap<>();
        long total = 0;
        try (ObjectStore store = ObjectStores.open(to, FilesParams.storageOptions(params, context), context.env())) {
            for (String name : names) {
                byte[] content = Files.readAllBytes(from.resolve(name));
                String sha = Sha256.hex(content);
                store.put(prefix + name, content, Map.of(Sha256.METADATA_KEY, sha));
                entries.put(name, new FilesManifest.Entry(sha, content.length));
                total += content.length;
                context.log().info("uploaded " + name + " (" + content.length + " bytes)");
            }
            byte[] manifest = new FilesManifest(entries).toJson();
            store.put(prefix + FilesManifest.NAME, manifest, Map.of(Sha256.METADATA_KEY, Sha256.hex(manifest)));
            context.log().info(names.size() + " file(s), " + total + " bytes, uploaded to " + params.string("to"));
        }
        return Outputs.none().put("files", names).put("bytes", total);
    }

    /** The regular files to upload, as sorted names relative to {@code from}; links are skipped. */
    private static List<String> collect(Path from, List<String> include, StepContext context)
            throws IOException, StepFailure {
        List<Path> roots = new ArrayList<>();
        if (include.isEmpty()) {
            roots.add(from);
        }
        for (String inc : include) {
            Path p = from.resolve(inc).normalize();
            if (!p.startsWith(from)) {
                throw new StepFailure("include entry '" + inc + "' points outside " + from, false, null);
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new StepFailure("cannot back up " + p + ": it does not exist", false, null);
            }
            roots.add(p);
        }
        TreeSet<String> names = new TreeSet<>();
        for (Path root : roots) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    if (Files.isSymbolicLink(p)) {
                        context.log().warn("skipped " + from.relativize(p) + ": a symbolic link");
                        continue;
                    }
                    if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    if (Files.size(p) > MAX_FILE_BYTES) {
                        throw new StepFailure(p + " is " + Files.size(p) + " bytes: files.backup is for secret and "
                                + ".env files (up to 16 MiB); back up data with the postgres or s3 executors", false, null);
                    }
                    names.add(from.relativize(p).toString().replace('\\', '/'));
                }
            }
        }
        return List.copyOf(names);
    }
}
