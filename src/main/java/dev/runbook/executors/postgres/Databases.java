package dev.runbook.executors.postgres;

import dev.runbook.spi.StepFailure;
import dev.runbook.spi.StepLog;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * Creating and dropping whole databases, through a connection to a maintenance database
 * ({@code postgres} by default), since a database cannot be dropped while connected to it.
 */
final class Databases {

    /** SQLSTATE invalid_catalog_name: the database does not exist. */
    static final String NO_SUCH_DATABASE = "3D000";
    static final List<String> PROTECTED = List.of("template0", "template1");

    private Databases() {
    }

    static Connection maintenance(PgConnection target, String maintenanceDb) throws StepFailure {
        if (maintenanceDb.equals(target.database())) {
            throw new StepFailure("the maintenance database and the target are both '" + maintenanceDb
                    + "'; set maintenance-database to another database (e.g. postgres or template1)", false, null);
        }
        return target.withDatabase(maintenanceDb).connect();
    }

    static boolean exists(Connection maintenance, String name) throws SQLException {
        return Sql.databaseExists(maintenance, name);
    }

    /** CREATE DATABASE from template0, so it is empty whatever template1 holds. */
    static void create(Connection maintenance, String name, Optional<Sql.DatabaseShape> like, String owner)
            throws SQLException {
        String sql = "CREATE DATABASE " + Sql.ident(name);
        if (like.isPresent()) {
            sql += like.get().createOptions();
        } else {
            sql += " TEMPLATE template0" + (owner == null ? "" : " OWNER " + Sql.ident(owner));
        }
        try (Statement st = maintenance.createStatement()) {
            st.execute(sql);
        }
    }

    /**
     * DROP DATABASE, refusing when other sessions are connected: during an outage those are
     * usually the application, and killing them silently is not this tool's call.
     */
    static void drop(Connection maintenance, String name, String hostPort) throws SQLException, StepFailure {
        if (PROTECTED.contains(name)) {
            throw new StepFailure("refusing to drop " + name + ": PostgreSQL needs it", false, null);
        }
        int sessions = sessions(maintenance, name);
        if (sessions > 0) {
            throw new StepFailure("cannot drop database " + name + " on " + hostPort + ": " + sessions
                    + " other session(s) are connected to it; stop the application (or run"
                    + " SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + Sql.literal(name)
                    + "') and try again", true, null);
        }
        try (Statement st = maintenance.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + Sql.ident(name));
        }
    }

    static int sessions(Connection maintenance, String name) throws SQLException {
        try (PreparedStatement ps = maintenance.prepareStatement(
                "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE datname = ? AND pid <> pg_catalog.pg_backend_pid()")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Drops and recreates a database with the same owner, encoding and locale. */
    static void recreate(Connection maintenance, String name, String hostPort, StepLog log) throws SQLException, StepFailure {
        Optional<Sql.DatabaseShape> shape = Sql.shapeOf(maintenance, name);
        drop(maintenance, name, hostPort);
        create(maintenance, name, shape, null);
        log.info("dropped and recreated database " + name + " on " + hostPort
                + shape.map(s -> " (owner " + s.owner() + ", " + s.encoding() + ")").orElse(""));
    }
}
