package dev.runbook.spi;

/** Counts for people: {@code 1 backup}, {@code 3 backups}; one place for the plural of every message. */
public final class Counts {

    private Counts() {
    }

    /** {@code n} and the thing counted, with an "s" unless there is exactly one ("1 step", "0 steps", "2 log lines"). */
    public static String of(long n, String thing) {
        return n + " " + thing + (n == 1 ? "" : "s");
    }
}
