package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

import dev.runbook.storage.StorageUri;

/**
 * An object or prefix named by one URI, the convention of every s3 action:
 * {@code s3://bucket/key} or {@code file:///dir/name}. For S3 the store is the bucket and the
 * key is everything after it; for files the store is the directory up to the last slash and
 * the key is the rest, so {@code file:///var/backups/postgres/postgres_} is the prefix
 * {@code postgres_} in {@code /var/backups/postgres}.
 *
 * @param store the store's root location (bucket, or directory), key empty
 * @param key   the object key or key prefix inside it; may be empty for a prefix
 */
record Location(StorageUri store, String key) {

    /** The location a parameter names; a malformed one fails the step at once (no retry can fix it). */
    static Location param(dev.runbook.spi.Params params, String name) throws dev.runbook.spi.StepFailure {
        try {
            return parse(name, params.string(name));
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }

    static Location parse(String param, String text) {
        StorageUri uri;
        try {
            uri = StorageUri.parse(text);
        } catch (BadParameterException e) {
            throw new BadParameterException("parameter '" + param + "': " + e.getMessage(), e);
        }
        if (uri.scheme().equals("s3")) {
            return new Location(new StorageUri("s3", uri.root(), ""), uri.key());
        }
        String path = uri.root();
        int slash = path.lastIndexOf('/');
        String dir = slash <= 0 ? "/" : path.substring(0, slash);
        return new Location(new StorageUri("file", dir, ""), path.substring(slash + 1));
    }

    boolean isS3() {
        return store.scheme().equals("s3");
    }

    /** The full URI of this location, or of another key in the same store. */
    String uri() {
        return uriOf(key);
    }

    String uriOf(String otherKey) {
        if (isS3()) {
            return "s3://" + store.root() + "/" + otherKey;
        }
        return "file://" + store.root() + (store.root().endsWith("/") ? "" : "/") + otherKey;
    }

    /** The last path segment of the key, for naming a local copy. */
    String fileName() {
        return key.substring(key.lastIndexOf('/') + 1);
    }
}
