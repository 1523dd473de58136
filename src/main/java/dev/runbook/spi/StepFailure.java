package dev.runbook.spi;

/**
 * An expected failure of a step, with a message written for the on-call engineer
 * (what failed, and what to do next). The engine prints the message without a stack trace.
 */
public class StepFailure extends Exception {

    private final boolean retryable;

    public StepFailure(String message) {
        this(message, true, null);
    }

    public StepFailure(String message, Throwable cause) {
        this(message, true, cause);
    }

    /**
     * @param retryable false when trying again cannot help (bad checksum, archived object),
     *                  so the engine skips the remaining retry attempts
     */
    public StepFailure(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
