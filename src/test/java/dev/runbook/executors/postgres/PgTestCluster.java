package dev.runbook.executors.postgres;

import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.RecordingStepContext;

import java.util.concurrent.atomic.AtomicInteger;

/** The shared password-authenticated test cluster, step contexts pointing at it, and unique database names. */
final class PgTestCluster {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private PgTestCluster() {
    }

    /** A context whose environment points libpq at the cluster. */
    static RecordingStepContext ctx(PostgresCluster pg) {
        return new RecordingStepContext()
                .env("PGHOST", pg.host())
                .env("PGPORT", Integer.toString(pg.port()))
                .env("PGUSER", pg.superuser())
                .env("PGPASSWORD", pg.superuserPassword())
                .env("PGDATABASE", "postgres");
    }

    static String newDb(String prefix) {
        return prefix + "_" + SEQ.incrementAndGet() + "_" + System.nanoTime() % 100000;
    }
}
