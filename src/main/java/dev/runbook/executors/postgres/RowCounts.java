package dev.runbook.executors.postgres;

import dev.runbook.spi.StepContext;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Exact row counts for a custom-format dump, whose stream cannot be counted as it passes:
 * {@code count(*)} of every user table on the connection that holds the exported snapshot
 * pg_dump runs in ({@link DumpSnapshot}), on a thread of its own while pg_dump runs, so the
 * counts see exactly the dump's data and add no time after it (the server reads each table
 * twice at once, mostly from its cache).
 */
final class RowCounts {

    private final Connection jdbc;
    private final StepContext ctx;
    private final CompletableFuture<Map<String, Long>> counts;

    private RowCounts(Connection jdbc, StepContext ctx, CompletableFuture<Map<String, Long>> counts) {
        this.jdbc = jdbc;
        this.ctx = ctx;
        this.counts = counts;
    }

    static RowCounts start(Connection jdbc, StepContext ctx) {
        CompletableFuture<Map<String, Long>> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(Sql.rowCounts(jdbc, Sql.userTables(jdbc)));
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "row counts");
        t.setDaemon(true);
        t.start();
        return new RowCounts(jdbc, ctx, f);
    }

    /** Waits for the counts; null (with a warning) when they could not be taken. */
    Map<String, Long> result() throws InterruptedException {
        try {
            Map<String, Long> c = counts.get();
            ctx.log().info("counted the rows of " + c.size() + " tables in the dump's snapshot, beside pg_dump");
            return c;
        } catch (ExecutionException e) {
            String why = e.getCause() instanceof SQLException s ? Sql.message(s) : String.valueOf(e.getCause());
            ctx.log().warn("could not count rows for the manifest (" + why
                    + "); the backup is kept, but verify cannot compare row counts against it");
            return null;
        }
    }

    /** Stops a count still running (the dump failed): a cancel request, which does not wait for the query. */
    void cancel() {
        if (!counts.isDone()) {
            try {
                jdbc.unwrap(org.postgresql.PGConnection.class).cancelQuery();
            } catch (SQLException ignored) {
                // the connection closes right after anyway
            }
        }
    }
}
