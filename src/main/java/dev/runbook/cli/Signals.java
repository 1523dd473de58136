package dev.runbook.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Ctrl-C (SIGINT) and SIGTERM while a run is in progress. The JVM's own handling (shutdown
 * hooks) cannot tell a first Ctrl-C from a second, and waits in hooks with no way to run
 * cleanup steps in order; so the command takes both signals itself and hands them to the
 * engine, which cancels the main steps and gives on-failure and finally their grace period.
 * When no run takes the signal, the process exits as it would have (130 or 143); a third
 * signal exits at once, for a step that does not stop when interrupted.
 *
 * <p>{@code sun.misc.Signal} (module jdk.unsupported) is the only signal API of Java 17; it is
 * reached by reflection so the build stays free of proprietary-API warnings. Where it is
 * missing the JVM's default handling stays in place (and the engine's shutdown hook).
 */
final class Signals implements AutoCloseable {

    private record Installed(Object signal, Object previous) {
    }

    private final List<Installed> installed = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String received;

    /**
     * @param engine takes a signal ("Ctrl-C (SIGINT)", "SIGTERM"); false when no run is in progress
     */
    static Signals install(Predicate<String> engine) {
        Signals s = new Signals();
        s.handle("INT", "Ctrl-C (SIGINT)", ExitCodes.INTERRUPTED, engine);
        s.handle("TERM", "SIGTERM", ExitCodes.TERMINATED, engine);
        return s;
    }

    /** The first signal that arrived ("Ctrl-C (SIGINT)"), or null. */
    String received() {
        return received;
    }

    /** The exit code for a run that ended after a signal: 130 for Ctrl-C, 143 for SIGTERM. */
    int exitCode() {
        return received != null && received.contains("TERM") ? ExitCodes.TERMINATED : ExitCodes.INTERRUPTED;
    }

    private void handle(String name, String label, int exitCode, Predicate<String> engine) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler onSignal = (Object proxy, Method method, Object[] args) -> switch (method.getName()) {
                case "handle" -> {
                    if (received == null) {
                        received = label;
                    }
                    if (count.incrementAndGet() >= 3) {
                        // the third: a step ignores its interruption; leave now. The journal has no
                        // end, so the run reads as interrupted and can be resumed
                        System.err.println("runbook: " + label + " a third time: exiting without waiting for the steps");
                        Runtime.getRuntime().halt(exitCode);
                    }
                    if (!engine.test(label)) {
                        System.exit(exitCode); // nothing in progress to stop gracefully
                    }
                    yield null;
                }
                case "hashCode" -> System.identityHashCode(proxy);
                case "equals" -> proxy == args[0];
                default -> "runbook " + name + " handler";
            };
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[]{handlerClass}, onSignal);
            Object previous = signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, signal, handler);
            installed.add(new Installed(signal, previous));
        } catch (ReflectiveOperationException | IllegalArgumentException | SecurityException e) {
            // no signal API here (or the signal is reserved): the JVM's default handling stays
        }
    }

    /** Puts the JVM's handlers back: after the run a Ctrl-C ends the process as usual. */
    @Override
    public void close() {
        for (Installed i : installed) {
            try {
                Class<?> signalClass = Class.forName("sun.misc.Signal");
                Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
                signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, i.signal(), i.previous());
            } catch (ReflectiveOperationException | IllegalArgumentException e) {
                // keeping ours is harmless: with no run in progress it exits like the default
            }
        }
        installed.clear();
    }
}
