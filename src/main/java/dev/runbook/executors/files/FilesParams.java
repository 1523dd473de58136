package dev.runbook.executors.files;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.storage.StorageUri;

import java.util.Map;

/** Parameters shared by the files actions. */
final class FilesParams {

    static final ParamSpec STORAGE = ParamSpec.optional("storage", ParamType.MAP, Map.of(),
            "store options passed to the storage location (for S3: endpoint, region, path-style, sse, kms-key-id)")
            .asSensitive().withFields(
                    ParamSpec.optional("endpoint", ParamType.STRING, null, "S3 API endpoint URL"),
                    ParamSpec.optional("region", ParamType.STRING, null, "region (default $AWS_REGION)"),
                    ParamSpec.optional("path-style", ParamType.BOOL, null, "path-style addressing"),
                    ParamSpec.optional("sse", ParamType.STRING, null, "server-side encryption: AES256 or aws:kms")
                            .oneOf("AES256", "aws:kms"),
                    ParamSpec.optional("kms-key-id", ParamType.STRING, null, "KMS key for aws:kms; may be a secret"));

    private FilesParams() {
    }

    /** The store options as strings; a secret option (e.g. a KMS key id) is registered for masking. */
    static Map<String, String> storageOptions(Params params, StepContext context) {
        return params.stringMap("storage", context::addSecret);
    }

    /** The key prefix of a location, always ending in "/" unless empty (a location names a folder). */
    static String prefix(StorageUri location) {
        String key = location.key();
        return key.isEmpty() || key.endsWith("/") ? key : key + "/";
    }

    /** A relative name from the store, refused when it would land outside the target directory. */
    static boolean safeRelative(String relative) {
        if (relative.isEmpty() || relative.startsWith("/") || relative.contains("\\")) {
            return false;
        }
        for (String part : relative.split("/")) {
            if (part.isEmpty() || part.equals(".") || part.equals("..")) {
                return false;
            }
        }
        return true;
    }
}
