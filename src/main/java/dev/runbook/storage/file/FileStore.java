package dev.runbook.storage.file;

import dev.runbook.spi.PrivateFiles;
import dev.runbook.spi.BadParameterException;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A local directory as an object store ({@code file:///var/backups}): the embedded default
 * for the quick start and for teams without S3. Objects are plain files under the root, so a
 * person can restore one with {@code psql -f} and nothing else.
 *
 * <p>Uploads go to a hidden temporary file beside the target and are renamed atomically on
 * commit (after fsync), so a crash or failed dump never leaves a partial file under the key.
 * User metadata lives in {@code .runbook-metadata/<key>.json}, out of the way of listings.
 * Everything is created owner-only, since dumps hold the database's data.
 */
public final class FileStore implements ObjectStore {

    static final String METADATA_DIR = ".runbook-metadata";
    private static final String PARTIAL_SUFFIX = ".partial";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;

    public FileStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public String describe() {
        return root.toUri().toString();
    }

    public Path root() {
        return root;
    }

    /** The file holding an object; refuses keys that would escape the root. */
    public Path pathOf(String key) {
        Path p = root.resolve(key).normalize();
        if (!p.startsWith(root) || p.equals(root)) {
            throw new BadParameterException("key '" + key + "' points outside " + root);
        }
        return p;
    }

    @Override
    public Upload startUpload(String key, Map<String, String> metadata, long expectedSizeHint) throws IOException {
        Path target = pathOf(key);
        createPrivateDirectories(target.getParent());
        Path partial = target.resolveSibling("." + target.getFileName() + "." + ProcessHandle.current().pid()
                + "." + System.nanoTime() + PARTIAL_SUFFIX);
        FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
        OutputStream out = Channels.newOutputStream(channel);
        return new Upload() {
            private boolean done;

            @Override
            public OutputStream stream() {
                return out;
            }

            @Override
            public ObjectInfo commit() throws IOException {
                if (done) {
                    throw new IllegalStateException("upload already ended");
                }
                channel.force(true);
                channel.close();
                writeMetadata(key, metadata);
                PrivateFiles.replace(partial, target);
                done = true;
                return stat(key).orElseThrow();
            }

            @Override
            public Optional<String> abort() {
                if (done) {
                    return Optional.empty();
                }
                done = true;
                try {
                    channel.close();
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // best effort: the partial file is hidden and never listed
                }
                return Optional.empty();
            }
        };
    }

    @Override
    public void put(String key, byte[] content, Map<String, String> metadata) throws IOException {
        try (Upload upload = startUpload(key, metadata, content.length)) {
            upload.stream().write(content);
            upload.commit();
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        Path p = pathOf(key);
        if (!Files.isRegularFile(p)) {
            throw new NoSuchFileException(describe() + "/" + key);
        }
        return Files.newInputStream(p);
    }

    @Override
    public Optional<ObjectInfo> stat(String key) throws IOException {
        Path p = pathOf(key);
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        return Optional.of(new ObjectInfo(key, Files.size(p), Files.getLastModifiedTime(p).toInstant(), null,
                readMetadata(key)));
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String key = root.relativize(p).toString().replace('\\', '/');
                if (!Files.isRegularFile(p) || key.startsWith(METADATA_DIR + "/")
                        || p.getFileName().toString().endsWith(PARTIAL_SUFFIX) || !key.startsWith(prefix)) {
                    continue;
                }
                out.add(new ObjectInfo(key, Files.size(p), Files.getLastModifiedTime(p).toInstant(), null, Map.of()));
            }
        }
        out.sort(java.util.Comparator.comparing(ObjectInfo::key));
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        Files.deleteIfExists(pathOf(key));
        Files.deleteIfExists(metadataPath(key));
    }

    private Path metadataPath(String key) {
        return root.resolve(METADATA_DIR).resolve(key + ".json").normalize();
    }

    private void writeMetadata(String key, Map<String, String> metadata) throws IOException {
        Path meta = metadataPath(key);
        if (metadata == null || metadata.isEmpty()) {
            Files.deleteIfExists(meta);
            return;
        }
        createPrivateDirectories(meta.getParent());
        Path tmp = meta.resolveSibling(meta.getFileName() + PARTIAL_SUFFIX);
        Files.write(tmp, JSON.writeValueAsBytes(metadata));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        PrivateFiles.replace(tmp, meta);
    }

    private Map<String, String> readMetadata(String key) throws IOException {
        Path meta = metadataPath(key);
        if (!Files.isRegularFile(meta)) {
            return Map.of();
        }
        return JSON.readValue(meta.toFile(), new TypeReference<Map<String, String>>() { });
    }

    /** Creates missing directories owner-only (0700): backups hold the database's data. */
    static void createPrivateDirectories(Path dir) throws IOException {
        if (dir == null || Files.isDirectory(dir)) {
            return;
        }
        createPrivateDirectories(dir.getParent());
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
}
