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
import java.util.Optional;

/** {@code postgres.create-database}: an empty database from template0 (e.g. a restore drill's scratch database). */
public final class CreateDatabaseAction implements Action {

    @Override
    public String name() {
        return "create-database";
    }

    @Override
    public String summary() {
        return "Create an empty database (from template0)";
    }

    @Override
    public List<ParamSpec> params() {
        return PgConnection.withConnection(
                ParamSpec.optional("owner", ParamType.STRING, null, "owner role (default: the connecting user)"),
                ParamSpec.optional("if-not-exists", ParamType.BOOL, true, "succeed when it already exists"),
                ParamSpec.optional("maintenance-database", ParamType.STRING, "postgres", "database to connect to meanwhile"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("database", ParamType.STRING, "the database"),
                OutputSpec.of("created", ParamType.BOOL, "false when it already existed"));
    }

    @Override
    public String describe(Params params) {
        return "create database " + params.display("database", "$PGDATABASE") + " on " + params.display("host", "$PGHOST")
                + ":" + params.display("port", "$PGPORT") + " from template0"
                + (params.has("owner") ? ", owned by " + params.display("owner") : "");
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        PgConnection conn = PgConnection.from(params, ctx);
        try (Connection m = Databases.maintenance(conn, params.string("maintenance-database", "postgres"))) {
            if (Databases.exists(m, conn.database())) {
                if (!params.bool("if-not-exists", true)) {
                    throw new StepFailure("database " + conn.database() + " already exists on " + conn.hostPort(), false, null);
                }
                ctx.log().info("database " + conn.database() + " already exists on " + conn.hostPort());
                return Outputs.none().put("database", conn.database()).put("created", false);
            }
            Databases.create(m, conn.database(), Optional.empty(), params.string("owner"));
            ctx.log().info("created database " + conn.database() + " on " + conn.hostPort());
            return Outputs.none().put("database", conn.database()).put("created", true);
        } catch (SQLException e) {
            throw new StepFailure("cannot create database " + conn.database() + " on " + conn.hostPort() + ": " + Sql.message(e), e);
        }
    }
}
