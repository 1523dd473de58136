package dev.runbook.executors.postgres;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One object named by a full URI ({@code s3://bucket/postgres/x.sql},
 * {@code file:///var/backups/postgres/x.sql}), split into the store that holds it and its key.
 * A file URI names a path, so its store is the parent directory and its key the file name.
 */
record ObjectLocation(StorageUri store, String key) {

    static ObjectLocation parse(String uri) throws StepFailure {
        StorageUri parsed;
        try {
            parsed = StorageUri.parse(uri);
        } catch (BadParameterException e) {
            throw new StepFailure(e.getMessage(), false, e);
        }
        if (parsed.scheme().equals("file")) {
            String path = parsed.root();
            int slash = path.lastIndexOf('/');
            if (slash < 0 || slash == path.length() - 1) {
                throw new StepFailure("'" + uri + "' names a directory, not a backup file", false, null);
            }
            String dir = slash == 0 ? "/" : path.substring(0, slash);
            return new ObjectLocation(new StorageUri("file", dir, ""), path.substring(slash + 1));
        }
        if (parsed.key().isEmpty() || parsed.key().endsWith("/")) {
            throw new StepFailure("'" + uri + "' names a prefix, not a backup object", false, null);
        }
        return new ObjectLocation(new StorageUri(parsed.scheme(), parsed.root(), ""), parsed.key());
    }

    /** The same store, another key (the manifest beside a backup). */
    ObjectLocation sibling(String otherKey) {
        return new ObjectLocation(store, otherKey);
    }

    String uri() {
        return store.child(key);
    }

    ObjectStore open(Map<String, Object> storageOptions, Map<String, String> env) {
        return ObjectStores.open(store, options(storageOptions), env);
    }

    /** The {@code storage:} parameter shared with the s3 executor. */
    static ParamSpec storageSpec() {
        return ParamSpec.optional("storage", ParamType.MAP, null,
                "object store settings for s3:// locations").withFields(
                ParamSpec.optional("endpoint", ParamType.STRING, null, "S3 API endpoint URL"),
                ParamSpec.optional("region", ParamType.STRING, null, "region (default $AWS_REGION)"),
                ParamSpec.optional("path-style", ParamType.BOOL, null, "path-style addressing"),
                ParamSpec.optional("sse", ParamType.STRING, null, "server-side encryption: AES256 or aws:kms"),
                ParamSpec.optional("kms-key-id", ParamType.STRING, null, "KMS key for aws:kms"),
                ParamSpec.optional("storage-class", ParamType.STRING, null, "storage class of new objects"),
                ParamSpec.optional("part-size", ParamType.INT, null,
                        "multipart part size in bytes, 5 MiB to 1 GiB (default: sized from the database, at least 8 MiB)"),
                ParamSpec.optional("parts-in-flight", ParamType.INT, null,
                        "parts uploaded at once (default 4); memory use is this many parts plus one"));
    }

    /** The {@code storage:} map as the string options the stores take. */
    static Map<String, String> options(Map<String, Object> raw) {
        Map<String, String> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> {
            if (v != null) {
                out.put(k, String.valueOf(v));
            }
        });
        return out;
    }
}
