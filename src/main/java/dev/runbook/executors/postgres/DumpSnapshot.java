package dev.runbook.executors.postgres;

import dev.runbook.spi.StepLog;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes the manifest's row counts match the dump exactly: a read-only REPEATABLE READ
 * transaction exports its snapshot and pg_dump runs with {@code --snapshot=<id>}. A plain dump's
 * rows are counted in its own stream ({@link CopyRowCounter}); a custom dump's are counted in
 * this transaction while pg_dump runs ({@link RowCounts}), so both see the same data however
 * busy the database is. The transaction stays open until the connection closes.
 *
 * <p>If the server cannot export a snapshot (a standby before PostgreSQL 10, say), pg_dump
 * takes its own and the counts are taken just after it without snapshot; the manifest says so
 * ({@code tables_snapshot: false}) and verify may then see concurrent changes.
 */
final class DumpSnapshot {

    private DumpSnapshot() {
    }

    /** @return the snapshot id for pg_dump, or null when none could be exported */
    static String export(Connection jdbc, StepLog log) throws SQLException {
        jdbc.setAutoCommit(false);
        jdbc.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        jdbc.setReadOnly(true);
        try (Statement st = jdbc.createStatement()) {
            // a lock we cannot get must not hang the count afterwards either
            st.execute("SET LOCAL lock_timeout = '60s'");
            try (ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_export_snapshot()")) {
                rs.next();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            log.warn("cannot export a snapshot (" + Sql.message(e) + "); row counts are taken after the dump, not in its snapshot");
            jdbc.rollback();
            jdbc.setAutoCommit(true);
            return null;
        }
    }
}
