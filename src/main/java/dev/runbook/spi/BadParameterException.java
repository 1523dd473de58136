package dev.runbook.spi;

/**
 * A parameter value the action cannot use (wrong type, malformed URI, unknown operator): the
 * run's author must change the runbook, so the engine fails the step at once without retrying.
 *
 * <p>Its own type on purpose: an {@link IllegalArgumentException} or {@link IllegalStateException}
 * thrown by a library (an SDK, a driver) may be transient, and the engine retries those like any
 * other failure. The message is shown as is: name the parameter and say what is expected.
 */
public class BadParameterException extends RuntimeException {

    public BadParameterException(String message) {
        super(message);
    }

    public BadParameterException(String message, Throwable cause) {
        super(message, cause);
    }
}
