package dev.runbook.storage;

import dev.runbook.spi.BadParameterException;

import dev.runbook.storage.file.FileStore;
import dev.runbook.storage.s3.S3Options;
import dev.runbook.storage.s3.S3Store;

import java.nio.file.Path;
import java.util.Map;

/** Opens the store behind a location; the one place that knows which schemes exist. */
public final class ObjectStores {

    private ObjectStores() {
    }

    /**
     * @param options store settings from the step (for S3: endpoint, region, path-style,
     *                sse, kms-key-id, storage-class); unknown ones are ignored by stores that
     *                do not use them
     * @param env     the run's environment (AWS_* conventions)
     */
    public static ObjectStore open(StorageUri location, Map<String, String> options, Map<String, String> env) {
        return switch (location.scheme()) {
            case "file" -> new FileStore(Path.of(location.root()));
            case "s3" -> new S3Store(location.root(), S3Options.from(options, env), env);
            default -> throw new BadParameterException("unsupported scheme " + location.scheme());
        };
    }
}
