package dev.runbook.storage;

import dev.runbook.spi.BadParameterException;

import java.net.URI;

/**
 * A parsed backup location: {@code s3://bucket/some/key} or {@code file:///dir/some/key}.
 *
 * @param scheme {@code s3} or {@code file}
 * @param root   the bucket name, or the absolute directory for file URIs
 * @param key    the key (or prefix) inside the root, without a leading slash; may be empty
 */
public record StorageUri(String scheme, String root, String key) {

    public static StorageUri parse(String text) {
        if (text == null || text.isBlank()) {
            throw new BadParameterException("empty storage location; expected s3://bucket/key or file:///dir/key");
        }
        if (text.startsWith("s3://")) {
            String rest = text.substring(5);
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            if (bucket.isEmpty()) {
                throw new BadParameterException("'" + text + "' has no bucket; expected s3://bucket/key");
            }
            return new StorageUri("s3", bucket, slash < 0 ? "" : rest.substring(slash + 1));
        }
        if (text.startsWith("file:")) {
            String path;
            try {
                path = URI.create(text).getPath();
            } catch (IllegalArgumentException e) {
                throw new BadParameterException("'" + text + "' is not a valid file URI: " + e.getMessage(), e);
            }
            if (path == null || !path.startsWith("/")) {
                throw new BadParameterException("'" + text + "' must be an absolute file URI like file:///var/backups/postgres/");
            }
            // the root is the directory, the key is empty: file stores are opened on the directory itself
            return new StorageUri("file", path, "");
        }
        throw new BadParameterException("unsupported storage location '" + text
                + "'; expected s3://bucket/key or file:///dir/key");
    }

    /** The location of a key below this one. */
    public String child(String relativeKey) {
        String base = key.isEmpty() || key.endsWith("/") ? key : key + "/";
        String k = base + relativeKey;
        return scheme.equals("s3") ? "s3://" + root + "/" + k : "file://" + root + (root.endsWith("/") ? "" : "/") + k;
    }

    @Override
    public String toString() {
        return scheme.equals("s3") ? "s3://" + root + "/" + key : "file://" + root;
    }
}
