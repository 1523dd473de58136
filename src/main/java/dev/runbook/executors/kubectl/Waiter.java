package dev.runbook.executors.kubectl;

import dev.runbook.spi.Durations;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.time.Duration;
import java.time.Instant;

/**
 * Polls an object's status until it is done, failed, or the time is up, logging a line each
 * time the status changes (and progress for a bar). Polling rather than a watch keeps it
 * simple, survives API server hiccups and honours cancellation between polls.
 */
final class Waiter {

    /** Reads the status once. */
    @FunctionalInterface
    interface Poll {
        Progress poll() throws StepFailure;
    }

    static final Duration INTERVAL = Duration.ofMillis(500);

    private Waiter() {
    }

    /** The wait the step may afford: {@code within}, capped by the step's own timeout. */
    static Duration bound(Duration within, StepContext ctx) {
        Duration remaining = ctx.remaining();
        return remaining != null && remaining.compareTo(within) < 0 ? remaining : within;
    }

    /**
     * @return the final progress, DONE or FAILED
     * @throws StepFailure when {@code within} passes first: names what, how long, and the last status
     */
    static Progress until(StepContext ctx, String what, Duration within, String hint, Poll poll)
            throws StepFailure, InterruptedException {
        Duration limit = bound(within, ctx);
        Instant deadline = Instant.now().plus(limit);
        String last = null;
        while (true) {
            Progress p = poll.poll();
            if (!p.summary().equals(last)) {
                // the summary already says "1 of 2 ready"; progress() is for bytes
                ctx.log().info(what + ": " + p.summary());
                last = p.summary();
            }
            if (p.state() != Progress.State.PENDING) {
                return p;
            }
            if (ctx.cancelled()) {
                throw new InterruptedException("cancelled while waiting for " + what);
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new StepFailure("timed out after " + Durations.format(limit) + " waiting for " + what
                        + "; last status: " + p.summary() + ". " + hint);
            }
            Thread.sleep(Math.min(INTERVAL.toMillis(), Math.max(1, Duration.between(Instant.now(), deadline).toMillis())));
        }
    }
}
