package dev.runbook.executors.compose;

import dev.runbook.spi.StepLog;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

/**
 * Streams a command's output lines into the step log while keeping the last lines for the
 * failure message and a bounded copy for the step's {@code output} output.
 */
final class CommandOutput implements Consumer<String> {

    static final int TAIL_LINES = 20;
    static final int MAX_KEPT_CHARS = 64 * 1024;

    private final StepLog log;
    private final Deque<String> tail = new ArrayDeque<>();
    private final StringBuilder kept = new StringBuilder();
    private boolean truncated;

    CommandOutput(StepLog log) {
        this.log = log;
    }

    @Override
    public synchronized void accept(String line) {
        log.output(line);
        tail.addLast(line);
        if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
        }
        if (kept.length() + line.length() + 1 <= MAX_KEPT_CHARS) {
            kept.append(line).append('\n');
        } else {
            truncated = true;
        }
    }

    /** The last lines, indented, for a failure message. */
    synchronized String tail() {
        return tail.isEmpty() ? " (no output)" : ":\n  " + String.join("\n  ", tail);
    }

    /** Everything printed (up to 64 KiB; the first part is kept when longer). */
    synchronized String text() {
        return truncated ? kept + "[output truncated]\n" : kept.toString();
    }
}
