package dev.runbook.model;

import java.time.Duration;

/**
 * How often and how patiently a failed step is tried again.
 *
 * @param attempts total attempts including the first (1 = no retry)
 */
public record RetryPolicy(int attempts, Duration delay, Backoff backoff, Duration maxDelay) {

    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, Backoff.FIXED, Duration.ZERO);

    public enum Backoff { FIXED, EXPONENTIAL }

    /** The wait before attempt number {@code nextAttempt} (2 = first retry). */
    public Duration delayBefore(int nextAttempt) {
        if (backoff == Backoff.FIXED || nextAttempt <= 2) {
            return delay;
        }
        long factor = 1L << Math.min(30, nextAttempt - 2);
        Duration d = delay.multipliedBy(factor);
        return maxDelay.isZero() || d.compareTo(maxDelay) < 0 ? d : maxDelay;
    }
}
