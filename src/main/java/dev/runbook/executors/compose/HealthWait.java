package dev.runbook.executors.compose;

import dev.runbook.spi.Durations;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Waits until services are ready: healthy when they have a healthcheck, running otherwise.
 * Fails fast when one exits or turns unhealthy (waiting longer cannot help) and at the end of
 * the window; either way the failing services' last log lines go into the step log.
 *
 * <p>Polls every 100 ms. While Docker still reports a container's health as {@code starting},
 * its healthcheck command is also run here (as Docker runs it: in the container, as its user):
 * Docker runs it only every {@code interval} (often seconds), so a database ready after 1.2 s
 * would otherwise count as ready only at the next scheduled check. One pass is what makes
 * Docker call it healthy too; a failing run only means waiting on, as before.
 */
final class HealthWait {

    private static final Duration POLL = Duration.ofMillis(100);
    /** Longest a healthcheck run here may take before it counts as not passed (Docker's default timeout is 30 s). */
    private static final Duration CHECK_TIMEOUT = Duration.ofSeconds(5);

    private HealthWait() {
    }

    static List<ServiceStatus> await(ComposeSession session, List<String> services, Duration within,
                                     StepContext context) throws StepFailure, InterruptedException {
        Duration window = within;
        if (context.remaining() != null && context.remaining().compareTo(window) < 0) {
            window = context.remaining();
        }
        long start = System.nanoTime();
        long deadline = start + window.toNanos();
        Map<String, String> lastReported = new HashMap<>();
        String project = session.project().name();
        int lastReady = -1;
        Map<String, java.util.Optional<List<String>>> checks = new HashMap<>();
        while (true) {
            List<ServiceStatus> all = new ArrayList<>();
            List<String> notReady = new ArrayList<>();
            List<String> failed = new ArrayList<>();
            StringBuilder failures = new StringBuilder();
            int ready = 0;
            for (String service : services) {
                List<ServiceStatus> statuses = checkStarting(session, session.statuses(service, false), checks);
                all.addAll(statuses);
                String summary = statuses.isEmpty() ? "no container"
                        : String.join(", ", statuses.stream().map(ServiceStatus::summary).toList());
                if (!summary.equals(lastReported.put(service, summary))) {
                    context.log().info(service + ": " + summary + " after " + elapsed(start));
                }
                boolean serviceReady = !statuses.isEmpty() && statuses.stream().allMatch(ServiceStatus::ready);
                if (serviceReady) {
                    ready++;
                    continue;
                }
                notReady.add(service);
                for (ServiceStatus s : statuses) {
                    if (s.failed()) {
                        failed.add(service);
                        failures.append("; ").append(describe(s));
                    }
                }
            }
            // a count of services, not bytes: a plain line when it changes (progress() is for transfers)
            if (ready != lastReady) {
                context.log().info("services ready: " + ready + " of " + services.size());
                lastReady = ready;
            }
            if (notReady.isEmpty()) {
                return all;
            }
            if (!failed.isEmpty()) {
                session.showLogs(failed, "it failed");
                throw new StepFailure("service " + String.join(", ", failed) + " of compose project " + project
                        + " failed while waiting for it to become ready" + failures
                        + ". Its last log lines are above; fix the cause and run the step again.", false, null);
            }
            if (System.nanoTime() >= deadline || context.cancelled()) {
                StringBuilder detail = new StringBuilder();
                for (String service : notReady) {
                    List<ServiceStatus> statuses = session.statuses(service, false);
                    detail.append("; ").append(service).append(": ");
                    detail.append(statuses.isEmpty() ? "no container"
                            : String.join(", ", statuses.stream().map(HealthWait::describe).toList()));
                }
                session.showLogs(notReady, "not ready in time");
                throw new StepFailure("service " + String.join(", ", notReady) + " of compose project " + project
                        + " not ready after " + Durations.format(window) + detail
                        + ". Its last log lines are above; check its healthcheck and dependencies, "
                        + "or allow longer with `within`.", true, null);
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    /**
     * Runs the healthcheck of each running container Docker still reports as starting; the ones
     * it passes for are returned as healthy.
     */
    private static List<ServiceStatus> checkStarting(ComposeSession session, List<ServiceStatus> statuses,
                                                     Map<String, java.util.Optional<List<String>>> checks)
            throws InterruptedException {
        List<ServiceStatus> out = new ArrayList<>(statuses.size());
        for (ServiceStatus s : statuses) {
            if (!s.startingHealthcheck()) {
                out.add(s);
                continue;
            }
            java.util.Optional<List<String>> command = checks.get(s.containerId());
            if (command == null) {
                try {
                    command = session.engine().healthcheckCommand(s.containerId());
                } catch (RuntimeException e) {
                    command = java.util.Optional.empty(); // gone since it was listed: Docker's verdict decides
                }
                checks.put(s.containerId(), command);
            }
            boolean passed = false;
            if (command.isPresent()) {
                try {
                    java.util.Optional<Boolean> result = session.engine().passes(s.containerId(), command.get(), CHECK_TIMEOUT);
                    if (result.isEmpty()) {
                        // a check that hangs is not run here again (each run would leave a process
                        // behind): Docker runs it on its schedule, with its own timeout
                        checks.put(s.containerId(), java.util.Optional.empty());
                    }
                    passed = result.orElse(false);
                } catch (RuntimeException e) {
                    // the container went away or the engine refused the exec: Docker's own verdict decides
                    passed = false;
                }
            }
            out.add(passed ? s.healthyByCheck() : s);
        }
        return out;
    }

    private static String describe(ServiceStatus s) {
        String text = s.container() + " " + s.summary();
        if (s.hasHealthcheck() && !s.lastCheck().isEmpty()) {
            text += ", last healthcheck said: " + abbreviate(s.lastCheck());
        }
        return text;
    }

    private static String abbreviate(String s) {
        String one = s.replace('\n', ' ');
        return one.length() > 200 ? one.substring(0, 200) + "..." : one;
    }

    private static String elapsed(long start) {
        return Durations.format(Duration.ofNanos(System.nanoTime() - start));
    }
}
