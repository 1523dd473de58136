package dev.runbook.executors.postgres;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;

/**
 * Where a restore goes. With {@code clean} on an existing database it goes into a staging
 * database first, which replaces the target only once the restore succeeded: a failed or
 * refused restore leaves the target exactly as it was.
 *
 * @param staging      the staging database's name, or null when restoring straight into the target
 * @param targetExists the target existed before: the swap drops it first
 * @param onlyIfEmpty  the target was empty and clean was not asked for: the swap checks it still is
 */
record RestoreTarget(PgConnection target, String staging, String maintenanceDb, boolean targetExists, boolean onlyIfEmpty) {

    /** The loading itself, given the database to load into. */
    @FunctionalInterface
    interface Load {
        Restored into(PgConnection database) throws Exception;
    }

    /**
     * Makes sure the restore goes into an empty database: creates a missing target when asked,
     * refuses one that already has tables unless {@code clean}, which restores into a staging
     * copy (same owner, encoding and locale) that replaces the target on success.
     */
    static RestoreTarget prepare(StepContext ctx, PgConnection conn, String maintenanceDb, boolean createDatabase,
                                 boolean clean) throws Exception {
        return prepare(ctx, conn, maintenanceDb, createDatabase, clean, false);
    }

    /**
     * @param alwaysStage load a staging database even when the target is missing or empty (a
     *                    restore over several connections cannot be one transaction): it is
     *                    renamed to the target, or replaces the empty target, only on success
     */
    static RestoreTarget prepare(StepContext ctx, PgConnection conn, String maintenanceDb, boolean createDatabase,
                                 boolean clean, boolean alwaysStage) throws Exception {
        boolean exists;
        List<Sql.Table> tables = List.of();
        try (Connection c = conn.open()) {
            exists = true;
            tables = Sql.userTables(c);
        } catch (SQLException e) {
            if (!Databases.NO_SUCH_DATABASE.equals(e.getSQLState())) {
                throw new StepFailure("cannot connect to " + conn.display() + " as " + conn.user() + ": " + Sql.message(e), e);
            }
            exists = false;
        }
        if (!exists) {
            if (!createDatabase) {
                throw new StepFailure("database " + conn.database() + " does not exist on " + conn.hostPort()
                        + "; create it first (postgres.create-database) or set create-database: true", false, null);
            }
            if (alwaysStage) {
                String staging = stagingName(conn.database());
                try (Connection m = Databases.maintenance(conn, maintenanceDb)) {
                    Databases.drop(m, staging, conn.hostPort()); // a leftover of an earlier failed attempt
                    Databases.create(m, staging, Optional.empty(), null);
                }
                ctx.log().info("restoring into staging database " + staging + "; it becomes " + conn.database()
                        + " only if the restore succeeds");
                return new RestoreTarget(conn, staging, maintenanceDb, false, false);
            }
            try (Connection m = Databases.maintenance(conn, maintenanceDb)) {
                Databases.create(m, conn.database(), Optional.empty(), null);
            }
            ctx.log().info("created database " + conn.database() + " on " + conn.hostPort() + " from template0");
            return new RestoreTarget(conn, null, maintenanceDb, false, false);
        }
        if (clean || (alwaysStage && tables.isEmpty())) {
            String staging = stagingName(conn.database());
            try (Connection m = Databases.maintenance(conn, maintenanceDb)) {
                int sessions = Databases.sessions(m, conn.database());
                if (sessions > 0) { // find out now, not after an hour of restoring
                    throw new StepFailure(conn.display() + " has " + sessions + " other session(s); clean replaces the"
                            + " whole database, which needs them gone: stop the application and run again", true, null);
                }
                Databases.drop(m, staging, conn.hostPort()); // a leftover of an earlier failed attempt
                Databases.create(m, staging, Sql.shapeOf(m, conn.database()), null);
            }
            ctx.log().info("restoring into staging database " + staging + "; it replaces " + conn.database()
                    + " only if the restore succeeds");
            return new RestoreTarget(conn, staging, maintenanceDb, true, !clean);
        }
        if (!tables.isEmpty()) {
            String examples = String.join(", ", tables.stream().limit(3).map(Sql.Table::qualified).toList())
                    + (tables.size() > 3 ? ", ..." : "");
            throw new StepFailure("database " + conn.display() + " is not empty (" + tables.size() + " tables: " + examples
                    + "); restoring on top would mix old and restored data. Restore into a new database"
                    + " (create-database: true), or set clean: true to replace " + conn.database(), false, null);
        }
        return new RestoreTarget(conn, null, maintenanceDb, true, false);
    }

    /** {@code <target>_runbook_restore}, kept within PostgreSQL's 63-byte identifier limit. */
    static String stagingName(String target) {
        String suffix = "_runbook_restore";
        String base = target;
        while ((base + suffix).getBytes(StandardCharsets.UTF_8).length > 63) {
            base = base.substring(0, base.length() - 1);
        }
        return base + suffix;
    }

    PgConnection into() {
        return staging == null ? target : target.withDatabase(staging);
    }

    /**
     * Runs the load into {@link #into()}; swaps the staging copy in when it succeeded, drops it
     * when it failed (saying so in the failure: the target was left as it was).
     */
    Restored load(StepContext ctx, Load load) throws Exception {
        Restored restored;
        try {
            restored = load.into(into());
        } catch (StepFailure e) {
            discard(ctx);
            throw staging == null ? e : new StepFailure(e.getMessage() + " (that was the staging copy "
                    + staging + ", now dropped; " + target.database() + " was left as it was)", e.retryable(), e);
        } catch (Exception e) {
            discard(ctx);
            throw e;
        }
        finish(ctx);
        return restored;
    }

    /** Swaps the restored staging database in place of the target. */
    private void finish(StepContext ctx) throws Exception {
        if (staging == null) {
            return;
        }
        if (onlyIfEmpty) { // it was empty when the restore started; replacing it must not lose what came since
            List<Sql.Table> tables;
            try (Connection c = target.connect()) {
                tables = Sql.userTables(c);
            }
            if (!tables.isEmpty()) {
                throw new StepFailure(target.display() + " was empty when the restore started and has " + tables.size()
                        + " table(s) now; it was left as it is. The restored data is complete in database " + staging
                        + ": compare the two, then drop " + target.database() + " and rename " + staging + " to it", false, null);
            }
        }
        try (Connection m = Databases.maintenance(target, maintenanceDb)) {
            try {
                if (targetExists) {
                    Databases.drop(m, target.database(), target.hostPort());
                }
            } catch (StepFailure e) {
                throw new StepFailure(e.getMessage() + ". The restored data is complete in database " + staging
                        + "; once the sessions are gone, drop " + target.database() + " and rename " + staging
                        + " to it, or run this step again", e.retryable(), e);
            }
            awaitNoSessions(m, staging); // the restore's own connections end a moment after they are closed
            try (Statement st = m.createStatement()) {
                st.execute("ALTER DATABASE " + Sql.ident(staging) + " RENAME TO " + Sql.ident(target.database()));
            }
        }
        ctx.log().info("replaced database " + target.database() + " with the restored copy");
    }

    /** Drops the staging database after a failure; the target was never touched. */
    private void discard(StepContext ctx) {
        if (staging == null) {
            return;
        }
        try (Connection m = Databases.maintenance(target, maintenanceDb)) {
            awaitNoSessions(m, staging);
            Databases.drop(m, staging, target.hostPort());
        } catch (Exception e) {
            ctx.log().warn("could not drop the staging database " + staging + " (" + e.getMessage() + "); drop it by hand");
        }
    }

    /** Waits up to 10 s for the sessions of a closed connection to end on the server. */
    private static void awaitNoSessions(Connection m, String database) throws SQLException, InterruptedException {
        for (int i = 0; i < 100 && Databases.sessions(m, database) > 0; i++) {
            Thread.sleep(100);
        }
    }
}
