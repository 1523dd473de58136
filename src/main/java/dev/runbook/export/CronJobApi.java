package dev.runbook.export;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which CronJob API a cluster accepts. {@code batch/v1} CronJobs exist since Kubernetes 1.21 and
 * {@code batch/v1beta1} was removed in 1.25; {@code spec.timeZone} is honoured from 1.25 (beta,
 * on by default; GA in 1.27) and does not exist in {@code batch/v1beta1}.
 */
public final class CronJobApi {

    public static final String V1 = "batch/v1";
    public static final String V1BETA1 = "batch/v1beta1";

    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+).*");

    /** What discovery found on a reachable cluster. */
    public record Server(String gitVersion, boolean hasBatchV1CronJob) {

        /** True when the server's version is at least 1.25 (unknown versions: assumed new). */
        public boolean supportsTimeZone() {
            Matcher m = VERSION.matcher(gitVersion == null ? "" : gitVersion);
            if (!m.matches()) {
                return true;
            }
            int major = Integer.parseInt(m.group(1));
            int minor = Integer.parseInt(m.group(2));
            return major > 1 || minor >= 25;
        }
    }

    /**
     * @param apiVersion the API version to write
     * @param note       how it was decided, for the user (stderr)
     * @param problem    why the request cannot be exported for this cluster, or null
     */
    public record Decision(String apiVersion, String note, String problem) {
    }

    private CronJobApi() {
    }

    /**
     * @param forced   {@code --api-version}, or null to decide from the server
     * @param server   the reachable cluster's answers, empty when none is reachable
     * @param timeZone {@code --time-zone}, or null
     */
    public static Decision decide(String forced, Optional<Server> server, String timeZone) {
        if (forced != null && !forced.equals(V1) && !forced.equals(V1BETA1)) {
            return new Decision(V1, null, "--api-version '" + forced + "': use " + V1 + " (Kubernetes 1.21+) or "
                    + V1BETA1 + " (Kubernetes 1.20 and older)");
        }
        String version;
        String note;
        if (forced != null) {
            version = forced;
            note = "CronJob as " + version + " (--api-version)";
        } else if (server.isPresent()) {
            version = server.get().hasBatchV1CronJob() ? V1 : V1BETA1;
            note = "CronJob as " + version + ": the cluster (" + server.get().gitVersion() + ") "
                    + (server.get().hasBatchV1CronJob() ? "serves it" : "has no batch/v1 CronJob");
        } else {
            version = V1;
            note = "CronJob as " + V1 + " (no cluster reachable to ask; Kubernetes 1.21+); for an older cluster pass --api-version "
                    + V1BETA1;
        }
        String problem = null;
        if (timeZone != null && version.equals(V1BETA1)) {
            problem = "--time-zone needs a " + V1 + " CronJob on Kubernetes 1.25+; " + V1BETA1
                    + " has no time zone: give the schedule in the controller's time zone (usually UTC) instead";
        } else if (timeZone != null && server.isPresent() && !server.get().supportsTimeZone()) {
            problem = "--time-zone: the cluster (" + server.get().gitVersion() + ") does not support CronJob time zones"
                    + " (Kubernetes 1.25+); give the schedule in the controller's time zone (usually UTC) instead";
        }
        return new Decision(version, note, problem);
    }
}
