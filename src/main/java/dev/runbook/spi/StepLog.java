package dev.runbook.spi;

/**
 * Where a step reports what it does. The engine shows it under the step (indented), writes
 * it to the run's journal and masks every known secret value in it first.
 */
public interface StepLog {

    /** A progress note from the executor itself. */
    void info(String message);

    /** Something the operator should notice but that does not fail the step. */
    void warn(String message);

    /** A line printed by an external tool the step runs (pg_dump, psql, docker-compose, ...). */
    void output(String line);

    /**
     * Transfer progress. Shown as a progress bar on a terminal and as periodic plain lines
     * otherwise; cheap to call often.
     *
     * @param total total units, or -1 when unknown
     */
    void progress(String what, long done, long total);
}
