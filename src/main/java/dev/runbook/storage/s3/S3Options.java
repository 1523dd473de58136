package dev.runbook.storage.s3;

import dev.runbook.spi.BadParameterException;

import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.regions.providers.AwsProfileRegionProvider;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * Settings of one S3 store, read from the step's options and the run's environment.
 *
 * <p>Option names (the same under every s3 step and under the postgres executor's storage
 * options): {@code endpoint}, {@code region}, {@code path-style}, {@code sse},
 * {@code kms-key-id}, {@code storage-class}, {@code part-size}, {@code parts-in-flight}.
 *
 * @param endpoint     custom endpoint (MinIO, Ceph, S3Proxy...), or null for AWS
 * @param region       never null; us-east-1 when nothing says otherwise
 * @param pathStyle    path-style addressing (bucket in the path); default true with an endpoint
 * @param sse          null, {@code AES256} or {@code aws:kms}
 * @param kmsKeyId     KMS key for {@code aws:kms}, or null for the account's default key
 * @param storageClass storage class for new objects, or null for the bucket's default
 * @param partSize     multipart part size in bytes, or 0 to size parts from the size hint
 * @param partsInFlight parts an upload sends at once (memory: this many parts plus the one being filled)
 */
public record S3Options(URI endpoint, String region, boolean pathStyle, String sse, String kmsKeyId,
                        String storageClass, long partSize, int partsInFlight) {

    public static final String DEFAULT_REGION = "us-east-1";
    /** Chosen by measurement (docs/benchmarks.md, "Backup: one pass"): more gains nothing on 2 cores. */
    public static final int DEFAULT_PARTS_IN_FLIGHT = 4;

    public S3Options {
        if (sse != null && !sse.equals("AES256") && !sse.equals("aws:kms")) {
            throw new BadParameterException("sse must be AES256 or aws:kms, got '" + sse + "'");
        }
        if (kmsKeyId != null && !"aws:kms".equals(sse)) {
            throw new BadParameterException("kms-key-id needs sse: aws:kms");
        }
        if (partSize != 0 && partSize < 5L * 1024 * 1024) {
            throw new BadParameterException("part-size must be at least 5 MiB (S3's minimum part size)");
        }
        if (partSize > 1024L * 1024 * 1024) {
            throw new BadParameterException("part-size must be at most 1 GiB: parts are held in memory while they upload");
        }
        if (partsInFlight < 1 || partsInFlight > 64) {
            throw new BadParameterException("parts-in-flight must be between 1 and 64, got " + partsInFlight);
        }
    }

    /** Reads options first, then the AWS_* environment conventions. */
    public static S3Options from(Map<String, String> options, Map<String, String> env) {
        options = options == null ? Map.of() : options;
        env = env == null ? Map.of() : env;
        String endpoint = firstNonBlank(options.get("endpoint"), env.get("AWS_ENDPOINT_URL_S3"), env.get("AWS_ENDPOINT_URL"));
        URI endpointUri = null;
        if (endpoint != null) {
            try {
                endpointUri = URI.create(endpoint.trim());
            } catch (IllegalArgumentException e) {
                endpointUri = null;
            }
            if (endpointUri == null || endpointUri.getScheme() == null || endpointUri.getHost() == null) {
                throw new BadParameterException("endpoint '" + endpoint + "' must be a URL like https://minio.internal:9000");
            }
        }
        String region = firstNonBlank(options.get("region"), env.get("AWS_REGION"), env.get("AWS_DEFAULT_REGION"),
                profileRegion(env));
        String pathStyle = options.get("path-style");
        boolean path = pathStyle == null ? endpointUri != null : Boolean.parseBoolean(pathStyle.trim());
        String sse = blankToNull(options.get("sse"));
        String storageClass = blankToNull(options.get("storage-class"));
        String partSize = blankToNull(options.get("part-size"));
        String inFlight = blankToNull(options.get("parts-in-flight"));
        return new S3Options(endpointUri, region == null ? DEFAULT_REGION : region.trim(), path, sse,
                blankToNull(options.get("kms-key-id")),
                storageClass == null ? null : storageClass.toUpperCase(Locale.ROOT),
                partSize == null ? 0 : number("part-size", partSize),
                inFlight == null ? DEFAULT_PARTS_IN_FLIGHT : (int) Math.min(Integer.MAX_VALUE, number("parts-in-flight", inFlight)));
    }

    private static long number(String option, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new BadParameterException(option + " must be a whole number, got '" + value + "'", e);
        }
    }

    /** Where requests go, for error messages. */
    public String describeEndpoint() {
        return endpoint != null ? endpoint.toString() : "https://s3." + region + ".amazonaws.com";
    }

    /**
     * The region of the AWS CLI profile (~/.aws/config), as the SDK's default chain would read it.
     * The chain's last resort, the EC2 instance metadata service, is left out on purpose: off
     * EC2 it only adds seconds of timeouts, and there the environment names the region anyway.
     */
    private static String profileRegion(Map<String, String> env) {
        try {
            String profile = env.getOrDefault("AWS_PROFILE", "default");
            return new AwsProfileRegionProvider(ProfileFile::defaultProfileFile, profile).getRegion().id();
        } catch (RuntimeException noProfileRegion) {
            return null;
        }
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    private static String blankToNull(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
