package dev.runbook.executors.postgres;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** {@code postgres.drop-database}: drops a database (destructive; refuses while others are connected). */
public final class DropDatabaseAction implements Action {

    @Override
    public String name() {
        return "drop-database";
    }

    @Override
    public String summary() {
        return "Drop a database (refused while other sessions use it)";
    }

    @Override
    public List<ParamSpec> params() {
        return PgConnection.withConnection(
                ParamSpec.optional("if-exists", ParamType.BOOL, true, "succeed when it does not exist"),
                ParamSpec.optional("maintenance-database", ParamType.STRING, "postgres", "database to connect to meanwhile"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("database", ParamType.STRING, "the database"),
                OutputSpec.of("dropped", ParamType.BOOL, "false when it did not exist"));
    }

    @Override
    public boolean destructive(Params params) {
        return true;
    }

    @Override
    public String describe(Params params) {
        return "DROP database " + params.display("database", "$PGDATABASE") + " on " + params.display("host", "$PGHOST")
                + ":" + params.display("port", "$PGPORT") + " and everything in it";
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        PgConnection conn = PgConnection.from(params, ctx);
        try (Connection m = Databases.maintenance(conn, params.string("maintenance-database", "postgres"))) {
            if (!Databases.exists(m, conn.database())) {
                if (!params.bool("if-exists", true)) {
                    throw new StepFailure("database " + conn.database() + " does not exist on " + conn.hostPort(), false, null);
                }
                ctx.log().info("database " + conn.database() + " does not exist on " + conn.hostPort());
                return Outputs.none().put("database", conn.database()).put("dropped", false);
            }
            Databases.drop(m, conn.database(), conn.hostPort());
            ctx.log().info("dropped database " + conn.database() + " on " + conn.hostPort());
            return Outputs.none().put("database", conn.database()).put("dropped", true);
        } catch (SQLException e) {
            throw new StepFailure("cannot drop database " + conn.database() + " on " + conn.hostPort() + ": " + Sql.message(e), e);
        }
    }
}
