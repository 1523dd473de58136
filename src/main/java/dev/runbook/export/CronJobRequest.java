package dev.runbook.export;

import java.util.List;
import java.util.Map;

/**
 * What {@code runbook export cronjob} was asked to produce.
 *
 * @param name      name of the CronJob, its ConfigMap and ServiceAccount (a DNS-1123 label)
 * @param namespace namespace written into every object, or null to leave it to {@code kubectl -n}
 * @param schedule  the cron schedule (five fields, or {@code @daily}-style macros)
 * @param timeZone  an IANA time zone for the schedule, or null for the controller's (UTC on most clusters)
 * @param image     the runbook image
 * @param secret    the Secret whose keys become environment variables (BACKUP_BUCKET, PG*, AWS_*)
 * @param files     the runbook files, path relative to the main runbook's directory → content;
 *                  the first one is the runbook to run
 * @param inputs    inputs passed to {@code runbook run} as {@code --input name=value}
 * @param apiVersion the CronJob's API version, {@link CronJobApi#V1} or {@link CronJobApi#V1BETA1}
 */
public record CronJobRequest(String name, String namespace, String schedule, String timeZone, String image,
                             String secret, Map<String, String> files, Map<String, String> inputs, String apiVersion,
                             java.util.List<String> approve) {

    /** A {@code batch/v1} CronJob (Kubernetes 1.21+) that approves no step. */
    public CronJobRequest(String name, String namespace, String schedule, String timeZone, String image,
                          String secret, Map<String, String> files, Map<String, String> inputs) {
        this(name, namespace, schedule, timeZone, image, secret, files, inputs, CronJobApi.V1, java.util.List.of());
    }

    public CronJobRequest {
        files = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(files));
        inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
        approve = java.util.List.copyOf(approve);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no runbook file to export");
        }
    }

    /** The runbook the job runs: the first file. */
    public String mainFile() {
        return List.copyOf(files.keySet()).get(0);
    }
}
