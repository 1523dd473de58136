package dev.runbook.executors.postgres;

import dev.runbook.spi.Action;
import dev.runbook.spi.Durations;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * {@code postgres.wait-ready}: polls until the server accepts connections and answers {@code SELECT 1}.
 * The default pause between attempts is short (100 ms, like a tight {@code pg_isready} loop): a
 * refused connection costs almost nothing, and during a restore every second the database is
 * ready but unnoticed is a second of outage. "Not ready yet" is logged at most every 5 s.
 */
public final class WaitReadyAction implements Action {

    static final String DEFAULT_INTERVAL = "100ms";
    private static final long LOG_EVERY_NANOS = 5_000_000_000L;

    @Override
    public String name() {
        return "wait-ready";
    }

    @Override
    public String summary() {
        return "Wait until PostgreSQL accepts connections and answers SELECT 1";
    }

    @Override
    public List<ParamSpec> params() {
        return PgConnection.withConnection(
                ParamSpec.optional("within", ParamType.DURATION, "60s", "give up after this long"),
                ParamSpec.optional("interval", ParamType.DURATION, DEFAULT_INTERVAL, "pause between attempts"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("attempts", ParamType.INT, "connection attempts made"),
                OutputSpec.of("server-version", ParamType.STRING, "the server's version"));
    }

    @Override
    public String describe(Params params) {
        return "wait up to " + params.display("within", "60s") + " for " + PgConnection.display(params)
                + " to accept connections and answer SELECT 1";
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        PgConnection conn = PgConnection.from(params, ctx);
        Duration within = params.duration("within", Duration.ofSeconds(60));
        Duration interval = params.duration("interval", Duration.ofMillis(100));
        long deadline = System.nanoTime() + within.toNanos();
        String lastError = "no attempt made";
        int attempts = 0;
        long lastLog = 0;
        while (true) {
            attempts++;
            long left = deadline - System.nanoTime();
            int timeout = (int) Math.max(1, Math.min(5, Duration.ofNanos(left).toSeconds()));
            try (Connection c = conn.open(timeout); Statement st = c.createStatement()) {
                st.setQueryTimeout(timeout);
                st.execute("SELECT 1");
                String version = Sql.serverVersion(c);
                ctx.log().info(conn.display() + " is ready (PostgreSQL " + version + ", attempt " + attempts + ")");
                return Outputs.none().put("attempts", (long) attempts).put("server-version", version);
            } catch (SQLException e) {
                lastError = Sql.message(e);
                if (attempts == 1 || System.nanoTime() - lastLog >= LOG_EVERY_NANOS) {
                    lastLog = System.nanoTime();
                    ctx.log().info("not ready yet: " + lastError + " (attempt " + attempts + ")");
                }
            }
            if (ctx.cancelled() || System.nanoTime() + interval.toNanos() > deadline) {
                throw new StepFailure("PostgreSQL at " + conn.hostPort() + " (database " + conn.database() + ", user "
                        + conn.user() + ") was not ready within " + Durations.format(within) + " (" + attempts
                        + " attempts); last error: " + lastError + ". Check that the server is running and reachable.", null);
            }
            Thread.sleep(interval.toMillis());
        }
    }
}
