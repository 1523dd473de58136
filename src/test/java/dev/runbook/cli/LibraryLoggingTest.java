package dev.runbook.cli;

import io.netty.util.IllegalReferenceCountException;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * Netty's warning about a promise that had failed already (what an aborted streamed upload makes
 * the SDK's Netty client say, with a long stack trace) does not reach the terminal; Netty's
 * errors still do.
 */
class LibraryLoggingTest {

    @Test
    void nettyWarningsAreDroppedAndItsErrorsKept() {
        List<LogRecord> printed = new CopyOnWriteArrayList<>();
        Handler recorder = new Handler() {
            @Override public void publish(LogRecord record) {
                if (record.getLoggerName().startsWith("io.netty") && isLoggable(record)) {
                    printed.add(record);
                }
            }
            @Override public void flush() { }
            @Override public void close() { }
        };
        Logger root = Logger.getLogger("");
        root.addHandler(recorder);
        try {
            LibraryLogging.configure();
            assertSame(JdkLoggerFactory.INSTANCE, InternalLoggerFactory.getDefaultFactory());
            InternalLogger netty = InternalLoggerFactory.getInstance("io.netty.util.internal.PromiseNotificationUtil");
            netty.warn("Failed to mark a promise as failure because it has failed already: {}, unnotified cause:",
                    "DefaultChannelPromise@1", new IllegalReferenceCountException(0, -1));
            assertEquals(List.of(), printed.stream().map(LogRecord::getMessage).toList());
            netty.error("LEAK: ByteBuf.release() was not called before it's garbage-collected.");
            assertEquals(1, printed.size(), "Netty's errors must still show");
        } finally {
            root.removeHandler(recorder);
        }
    }
}
