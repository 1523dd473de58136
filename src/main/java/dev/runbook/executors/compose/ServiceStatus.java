package dev.runbook.executors.compose;

/**
 * One container of a Compose service as the Docker Engine reports it.
 *
 * @param state      created, running, restarting, exited, dead, ...
 * @param health     healthy, unhealthy, starting, or {@code none} when the service has no healthcheck
 * @param exitCode   the exit code once exited, else 0
 * @param lastCheck  the output of the latest healthcheck run (trimmed), or empty
 */
record ServiceStatus(String service, String container, String containerId, String state, String health,
                     long exitCode, String lastCheck) {

    static final String NO_HEALTHCHECK = "none";

    boolean hasHealthcheck() {
        return !NO_HEALTHCHECK.equals(health);
    }

    /** Running and, when it has a healthcheck, healthy. */
    boolean ready() {
        return "running".equals(state) && (!hasHealthcheck() || "healthy".equals(health));
    }

    /** Will not become ready by waiting: it stopped, or its healthcheck gave up. */
    boolean failed() {
        return "exited".equals(state) || "dead".equals(state) || "unhealthy".equals(health);
    }

    /** Running, with a healthcheck that has not passed yet (Docker says {@code starting}). */
    boolean startingHealthcheck() {
        return "running".equals(state) && "starting".equals(health);
    }

    /** This container after its healthcheck passed when run by runbook, before Docker's next scheduled run of it. */
    ServiceStatus healthyByCheck() {
        return new ServiceStatus(service, container, containerId, state, "healthy", exitCode,
                "healthcheck passed (run by runbook ahead of Docker's next scheduled check)");
    }

    /** e.g. {@code running (healthy)} or {@code exited (code 1)}. */
    String summary() {
        if ("exited".equals(state) || "dead".equals(state)) {
            return state + " (code " + exitCode + ")";
        }
        return hasHealthcheck() ? state + " (" + health + ")" : state;
    }
}
