package dev.runbook.engine;

import java.util.Locale;

/**
 * How a step or a run ended, ordered by severity like Spring Batch's ExitStatus: a run's
 * outcome is the worst of its steps' ({@link #worst}).
 */
public enum Outcome {
    SUCCEEDED, SKIPPED, FAILED_IGNORED,
    /** could never start: what it waits for cannot happen (named in its message) */
    BLOCKED,
    FAILED, CANCELLED;

    public static Outcome worst(Outcome a, Outcome b) {
        return a.ordinal() >= b.ordinal() ? a : b;
    }

    /** Whether this step counts as done when a run is resumed. */
    public boolean done() {
        return this == SUCCEEDED || this == SKIPPED || this == FAILED_IGNORED;
    }

    /** Whether it makes the run fail. */
    public boolean failure() {
        return this == FAILED || this == CANCELLED || this == BLOCKED;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
