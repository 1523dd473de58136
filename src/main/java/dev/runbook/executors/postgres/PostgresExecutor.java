package dev.runbook.executors.postgres;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;

import java.util.List;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.storage.Touched;
import java.util.ArrayList;

/**
 * {@code postgres}: backups with pg_dump streamed to s3:// or file:// storage, restores with
 * psql or pg_restore, and the checks around them. Connection settings follow libpq's PG*
 * environment variables; the password only ever travels in the child's environment or as a
 * JDBC property.
 */
public final class PostgresExecutor implements Executor {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public String summary() {
        return "PostgreSQL backups (pg_dump → storage), restores (psql / pg_restore) and checks";
    }

    @Override
    public List<Action> actions() {
        return List.of(new DumpAction(), new RestoreAction(), new QueryAction(), new VerifyAction(),
                new WaitReadyAction(), new CreateDatabaseAction(), new DropDatabaseAction());
    }

    /** The server and database as libpq would pick them (step, else $PG* variables, else defaults). */
    @Override
    public List<String> touches(Action action, Params params, StepContext context) {
        List<String> out = new ArrayList<>();
        out.add(PgConnection.display(params, context.env()));
        out.addAll(Touched.locations(params, context.runbookDir(), "from", "to", "manifest"));
        return out;
    }
}
