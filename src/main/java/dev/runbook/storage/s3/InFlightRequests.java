package dev.runbook.storage.s3;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

import java.time.Duration;

/**
 * Counts the SDK calls of one client that have started and not yet ended (an execution ends
 * after its last retry). An aborted upload waits for zero before it sweeps the server: closing
 * the asynchronous client does not stop a part upload that is being retried, and such a late
 * part, arriving after the sweep, brought the aborted upload back on S3Proxy (seen in CI when
 * the endpoint restarted during the retries).
 */
final class InFlightRequests implements ExecutionInterceptor {

    private int running;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        synchronized (this) {
            running++;
        }
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        ended();
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        ended();
    }

    private synchronized void ended() {
        running = Math.max(0, running - 1);
        notifyAll();
    }

    /**
     * Waits until no call is running, at most {@code limit}.
     *
     * @return true when none is running; false when the limit passed first
     */
    synchronized boolean awaitNone(Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (running > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    synchronized int running() {
        return running;
    }
}
