package dev.runbook.testsupport;

import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TestExecutorTest {

    @Test
    void serviceLoaderMergesTestAndMainRegistrations() {
        // Both META-INF/services files (main and test) are read: the test one lists only TestExecutor.
        var names = ExecutorRegistry.load().executors().keySet();
        assertTrue(names.containsAll(java.util.List.of("test", "approve", "http-check", "postgres", "compose", "files")),
                "executors found: " + names);
    }

    @Test
    void echoReturnsMessageAndNumberAndKeepsSecretOutOfLog() throws Exception {
        var registry = ExecutorRegistry.load();
        var echo = registry.resolve("test.echo").action();
        var ctx = new RecordingStepContext();
        Outputs out = echo.execute(Params.of(Map.of("message", "hi", "number", 7L, "secret-param", new Secret("s3cr3t"))), ctx);
        assertEquals(Map.of("message", "hi", "number", 7L), out.asMap());
        assertFalse(ctx.transcript().contains("s3cr3t"), ctx.transcript());
        assertEquals("echo hi with secret ***", echo.describe(Params.of(Map.of("message", "hi", "secret-param", new Secret("s3cr3t")))));
        assertEquals("test.echo", registry.resolve("test").qualifiedName());
    }

    @Test
    void failCarriesRetryable() {
        var fail = new TestExecutor.Fail();
        StepFailure f = assertThrows(StepFailure.class,
                () -> fail.execute(Params.of(Map.of("message", "boom", "retryable", false)), new RecordingStepContext()));
        assertEquals("boom", f.getMessage());
        assertFalse(f.retryable());
    }

    @Test
    void flakySucceedsOnTheGivenAttempt(@TempDir Path dir) throws Exception {
        var flaky = new TestExecutor.Flaky();
        var ctx = new RecordingStepContext().runbookDir(dir);
        Params p = Params.of(Map.of("counter-file", "count", "succeed-on", 3L));
        assertThrows(StepFailure.class, () -> flaky.execute(p, ctx));
        assertThrows(StepFailure.class, () -> flaky.execute(p, ctx));
        assertEquals(3L, flaky.execute(p, ctx).asMap().get("attempts"));
        assertEquals("3", Files.readString(dir.resolve("count")));
    }

    @Test
    void sleepStopsWhenInterrupted() throws Exception {
        var sleep = new TestExecutor.Sleep();
        AtomicReference<Thread> worker = new AtomicReference<>();
        CompletableFuture<Throwable> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                sleep.execute(Params.of(Map.of("for", "1h")), new RecordingStepContext());
                result.complete(null);
            } catch (Throwable e) {
                result.complete(e);
            }
        });
        worker.set(t);
        t.start();
        t.interrupt();
        assertInstanceOf(InterruptedException.class, result.get(30, TimeUnit.SECONDS));
    }

    @Test
    void destroyIsDestructiveAndNeedsApproval() {
        var destroy = new TestExecutor.Destroy();
        Params p = Params.of(Map.of("what", "db"));
        assertTrue(destroy.destructive(p));
        assertTrue(destroy.needsApproval(p));
        assertEquals("destroy db", destroy.describe(p));
    }
}
