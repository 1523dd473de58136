package dev.runbook.executors.s3;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters every s3 action shares (where S3 is and how to address it) and the opening of
 * the store they describe. Credentials never come from parameters: the run's environment
 * (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE) or the SDK's default chain.
 */
final class StoreParams {

    static final List<ParamSpec> COMMON = List.of(
            ParamSpec.optional("endpoint", ParamType.STRING, null,
                    "S3-compatible endpoint URL (MinIO, Ceph...); default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS"),
            ParamSpec.optional("region", ParamType.STRING, null,
                    "AWS region; default AWS_REGION, AWS_DEFAULT_REGION, else us-east-1"),
            ParamSpec.optional("path-style", ParamType.BOOL, null,
                    "path-style addressing (bucket in the path); default true when an endpoint is set"));

    /** Options only writers use. */
    static final List<ParamSpec> WRITE = List.of(
            ParamSpec.optional("sse", ParamType.STRING, null, "server-side encryption: AES256 or aws:kms")
                    .oneOf("AES256", "aws:kms"),
            ParamSpec.optional("kms-key-id", ParamType.STRING, null, "KMS key for sse: aws:kms (default: the account's S3 key)"),
            ParamSpec.optional("storage-class", ParamType.STRING, null,
                    "storage class of the new object, e.g. STANDARD_IA (default: the bucket's)"),
            ParamSpec.optional("part-size", ParamType.INT, null,
                    "multipart part size in bytes, at least 5 MiB (default: 128 MiB or more, sized from the file)"));

    private StoreParams() {
    }

    static List<ParamSpec> with(List<ParamSpec> own) {
        List<ParamSpec> all = new ArrayList<>(own);
        all.addAll(COMMON);
        return List.copyOf(all);
    }

    static List<ParamSpec> withWrite(List<ParamSpec> own) {
        List<ParamSpec> all = new ArrayList<>(with(own));
        all.addAll(WRITE);
        return List.copyOf(all);
    }

    static ObjectStore open(Location location, Params params, StepContext context) {
        Map<String, String> options = new HashMap<>();
        for (String name : List.of("endpoint", "region", "path-style", "sse", "kms-key-id", "storage-class", "part-size")) {
            if (params.has(name)) {
                options.put(name, params.string(name));
            }
        }
        return ObjectStores.open(location.store(), options, context.env());
    }

    /** "" or " (endpoint http://minio:9000)" for plan lines. */
    static String endpointNote(Params params) {
        return params.has("endpoint") ? " (endpoint " + params.display("endpoint") + ")" : "";
    }
}
