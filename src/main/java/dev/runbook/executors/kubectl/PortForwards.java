package dev.runbook.executors.kubectl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Keeps port-forwards (and the clients they ride on) open after their step returns, for the
 * rest of the run, and closes them when the run ends.
 *
 * <p>SPI gap: the step SPI has no run-scoped resource hook, so nothing tells an action that
 * the run is over. Until it has one (proposed: {@code StepContext.onRunEnd(AutoCloseable)}),
 * the engine may call {@link #closeRun(String)} at the end of a run; otherwise a JVM shutdown
 * hook closes everything when the CLI exits.
 */
public final class PortForwards {

    private static final Map<String, List<AutoCloseable>> OPEN = new ConcurrentHashMap<>();
    private static final AtomicBoolean HOOK = new AtomicBoolean();

    private PortForwards() {
    }

    static void keep(String runId, AutoCloseable... resources) {
        if (HOOK.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(new Thread(PortForwards::closeAll, "runbook-port-forwards"));
        }
        OPEN.computeIfAbsent(runId, id -> java.util.Collections.synchronizedList(new ArrayList<>())).addAll(List.of(resources));
    }

    /** Closes every forward the run opened, newest first. */
    public static void closeRun(String runId) {
        List<AutoCloseable> resources = OPEN.remove(runId);
        if (resources == null) {
            return;
        }
        List<AutoCloseable> reversed = new ArrayList<>(resources);
        java.util.Collections.reverse(reversed);
        for (AutoCloseable r : reversed) {
            try {
                r.close();
            } catch (Exception e) {
                // closing at the end of a run: nothing left to report to
            }
        }
    }

    public static void closeAll() {
        for (String runId : List.copyOf(OPEN.keySet())) {
            closeRun(runId);
        }
    }

    static int openCount(String runId) {
        List<AutoCloseable> resources = OPEN.get(runId);
        return resources == null ? 0 : resources.size();
    }
}
