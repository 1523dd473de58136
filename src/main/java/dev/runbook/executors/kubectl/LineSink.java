package dev.runbook.executors.kubectl;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.Consumer;

/**
 * An OutputStream that hands complete lines to the step log as they arrive (exec output) and
 * keeps the last lines for a failure message.
 */
final class LineSink extends OutputStream {

    private static final int TAIL = 20;

    private final Consumer<String> sink;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final Deque<String> tail = new ArrayDeque<>();

    LineSink(Consumer<String> sink) {
        this.sink = sink;
    }

    @Override
    public synchronized void write(int b) {
        if (b == '\n') {
            emit();
        } else {
            pending.write(b);
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void close() {
        if (pending.size() > 0) {
            emit();
        }
    }

    synchronized List<String> tail() {
        return List.copyOf(tail);
    }

    private void emit() {
        String line = pending.toString(StandardCharsets.UTF_8);
        if (line.endsWith("\r")) {
            line = line.substring(0, line.length() - 1);
        }
        pending.reset();
        tail.addLast(line);
        if (tail.size() > TAIL) {
            tail.removeFirst();
        }
        sink.accept(line);
    }
}
