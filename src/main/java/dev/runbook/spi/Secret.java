package dev.runbook.spi;

import java.util.Objects;

/**
 * A value that is, or was derived from, a secret. Its {@link #toString()} never shows it;
 * only {@link #reveal()} does, and code that calls it is responsible for keeping the value
 * out of argv, logs, plans and the journal (pass it by environment, stdin or a 0600 file).
 */
public final class Secret {

    public static final String MASK = "***";

    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return MASK;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
