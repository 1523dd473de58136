package dev.runbook.executors.postgres;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * N connections to one database, each on its own thread, taking work from one bounded queue:
 * COPY chunks (pgjdbc's CopyManager) and single DDL entries. Memory stays at the queue's
 * capacity plus one task per connection. The first failure stops everything: later tasks are
 * skipped, and {@link #submit} and {@link #awaitIdle} throw it.
 */
final class LoadWorkers implements AutoCloseable {

    private static final String DEADLOCK = "40P01";
    private static final int DEADLOCK_RETRIES = 3;

    /** One piece of work, run with pg_dump's session settings as they were at its place in the stream. */
    sealed interface Task permits Copy, Ddl {
        Map<String, String> session();

        String what();
    }

    /** The first {@code length} bytes of {@code rows} (a buffer from {@link #buffer}) are whole data lines. */
    record Copy(String statement, byte[] rows, int length, Map<String, String> session, String what) implements Task {
    }

    record Ddl(String sql, Map<String, String> session, String what) implements Task {
    }

    private final PgConnection database;
    private final StepContext ctx;
    private final BlockingQueue<Task> queue;
    private final BlockingQueue<byte[]> spare; // COPY buffers come back here once sent: no garbage per chunk
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Object idle = new Object();
    private long submitted;
    private long done;

    /**
     * @param settings statements run once on each connection, e.g. {@code SET synchronous_commit = off}
     */
    LoadWorkers(PgConnection database, int jobs, List<String> settings, StepContext ctx) throws StepFailure {
        this.database = database;
        this.ctx = ctx;
        this.queue = new ArrayBlockingQueue<>(Math.max(2, jobs * 2));
        this.spare = new ArrayBlockingQueue<>(jobs * 3 + 2);
        try {
            for (int i = 0; i < jobs; i++) {
                Connection c = database.connect();
                workers.add(new Worker(c, i + 1));
                try (Statement st = c.createStatement()) {
                    for (String s : settings) {
                        st.execute(s);
                    }
                }
            }
        } catch (SQLException e) {
            close();
            throw new StepFailure("cannot prepare the restore's connections to " + database.display() + ": " + Sql.message(e), e);
        } catch (StepFailure e) {
            close();
            throw e;
        }
        workers.forEach(w -> w.thread.start());
    }

    /** A buffer for a {@link Copy} of at least {@code size} bytes: a returned one when it is large enough. */
    byte[] buffer(int size) {
        byte[] b = spare.poll();
        return b != null && b.length >= size ? b : new byte[Math.max(size, ParallelPlainRestore.CHUNK_BYTES + 64 * 1024)];
    }

    /** Queues a task; waits while the queue is full. Throws the first failure of any connection, or on cancel. */
    void submit(Task task) throws Exception {
        synchronized (idle) {
            submitted++;
        }
        while (!queue.offer(task, 200, TimeUnit.MILLISECONDS)) {
            check();
        }
        check();
    }

    /** Waits until every queued task is done. */
    void awaitIdle() throws Exception {
        synchronized (idle) {
            while (done < submitted && failure.get() == null) {
                idle.wait(200);
                if (ctx.cancelled()) {
                    break;
                }
            }
        }
        check();
    }

    private void check() throws Exception {
        Exception f = failure.get();
        if (f != null) {
            throw f;
        }
        if (ctx.cancelled()) {
            throw new StepFailure("the restore was cancelled", false, null);
        }
    }

    /** Cancels what the connections are running and closes them. */
    @Override
    public void close() {
        failure.compareAndSet(null, new StepFailure("the restore was stopped", false, null));
        for (Worker w : workers) {
            w.stop();
        }
        for (Worker w : workers) {
            try {
                w.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
    }

    private final class Worker implements Runnable {
        private final Connection connection;
        private final Thread thread;
        private final Map<String, String> applied = new HashMap<>();
        private volatile boolean stopping;

        Worker(Connection connection, int n) {
            this.connection = connection;
            this.thread = new Thread(this, "restore-job-" + n);
            this.thread.setDaemon(true);
        }

        @Override
        public void run() {
            try {
                while (!stopping) {
                    Task task = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (task == null) {
                        continue;
                    }
                    try {
                        if (failure.get() == null && !ctx.cancelled()) {
                            runTask(task);
                        }
                    } catch (SQLException e) {
                        failure.compareAndSet(null, new StepFailure(task.what() + " failed in " + database.display()
                                + ": " + Sql.message(e), false, e));
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    } finally {
                        synchronized (idle) {
                            done++;
                            idle.notifyAll();
                        }
                    }
                }
            } catch (InterruptedException e) {
                // stopping
            } finally {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // the server ends the session either way
                }
            }
        }

        private void runTask(Task task) throws SQLException {
            applySession(task.session());
            if (task instanceof Copy copy) {
                CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(copy.statement());
                try {
                    in.writeToCopy(copy.rows(), 0, copy.length());
                    in.endCopy();
                } finally {
                    if (in.isActive()) {
                        in.cancelCopy();
                    }
                    spare.offer(copy.rows());
                }
                return;
            }
            Ddl ddl = (Ddl) task;
            for (int attempt = 0; ; attempt++) {
                try (Statement st = connection.createStatement()) {
                    st.setEscapeProcessing(false);
                    st.execute(ddl.sql());
                    return;
                } catch (SQLException e) {
                    // two ALTER TABLEs on related tables can deadlock; the server cancelled one: run it again
                    if (!DEADLOCK.equals(e.getSQLState()) || attempt == DEADLOCK_RETRIES) {
                        throw e;
                    }
                }
            }
        }

        private void applySession(Map<String, String> session) throws SQLException {
            try (Statement st = connection.createStatement()) {
                for (Map.Entry<String, String> s : session.entrySet()) {
                    if (!s.getValue().equals(applied.get(s.getKey()))) {
                        st.execute(s.getValue());
                        applied.put(s.getKey(), s.getValue());
                    }
                }
            }
        }

        void stop() {
            stopping = true;
            try {
                connection.unwrap(PGConnection.class).cancelQuery();
            } catch (SQLException ignored) {
                // nothing running, or already closed
            }
            thread.interrupt();
        }
    }
}
