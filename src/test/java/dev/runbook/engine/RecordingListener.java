package dev.runbook.engine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link RunListener} that keeps everything the engine reports, with the moment it came
 * (System.nanoTime), so tests can check order and overlap of steps and that no line holds a secret.
 */
final class RecordingListener implements RunListener {

    /** One callback, flattened to text. */
    record Event(long nanos, String kind, String step, String text) {
    }

    private final List<Event> events = new CopyOnWriteArrayList<>();
    private final Map<String, Long> started = new ConcurrentHashMap<>();
    private final Map<String, Long> finished = new ConcurrentHashMap<>();

    @Override
    public void runStarted(String runId, String runbook, String target, boolean resumed) {
        add("run-started", null, runId + " " + runbook + " " + target + " resumed=" + resumed);
    }

    @Override
    public void stepStarted(String stepId, String description, int attempt, int attempts) {
        started.putIfAbsent(stepId, System.nanoTime());
        add("step-started", stepId, description + " attempt " + attempt + "/" + attempts);
    }

    @Override
    public void stepLog(String stepId, String level, String line) {
        add("step-log", stepId, level + " " + line);
    }

    @Override
    public void stepProgress(String stepId, String what, long done, long total) {
        add("step-progress", stepId, what + " " + done + "/" + total);
    }

    @Override
    public void stepFinished(String stepId, Outcome outcome, Duration took, String message) {
        finished.put(stepId, System.nanoTime());
        add("step-finished", stepId, outcome.label() + (message == null ? "" : " " + message));
    }

    @Override
    public void note(String message) {
        add("note", null, message);
    }

    @Override
    public void runFinished(RunResult result) {
        add("run-finished", null, result.outcome().label() + " " + result.message());
    }

    private void add(String kind, String step, String text) {
        events.add(new Event(System.nanoTime(), kind, step, text));
    }

    List<Event> events() {
        return List.copyOf(events);
    }

    /** What the engine noted (cancellations, the grace period), in order. */
    List<String> notes() {
        return events.stream().filter(e -> e.kind().equals("note")).map(Event::text).toList();
    }

    /** Steps in the order they (first) started. */
    List<String> startOrder() {
        List<String> out = new ArrayList<>();
        for (Event e : events) {
            if (e.kind().equals("step-started") && !out.contains(e.step())) {
                out.add(e.step());
            }
        }
        return out;
    }

    long startedAt(String step) {
        Long t = started.get(step);
        if (t == null) {
            throw new AssertionError("step " + step + " never started; events: " + events);
        }
        return t;
    }

    long finishedAt(String step) {
        Long t = finished.get(step);
        if (t == null) {
            throw new AssertionError("step " + step + " never finished; events: " + events);
        }
        return t;
    }

    boolean started(String step) {
        return started.containsKey(step);
    }

    /** Every callback as one line of text, to search for leaked secrets. */
    String transcript() {
        StringBuilder out = new StringBuilder();
        for (Event e : events) {
            out.append(e.kind()).append(' ').append(e.step()).append(' ').append(e.text()).append('\n');
        }
        return out.toString();
    }
}
