package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Plain SQL streamed from the store into {@code psql -v ON_ERROR_STOP=1}. In one transaction
 * we wrap the dump ourselves, {@code BEGIN;} first and {@code COMMIT;} only once the last byte
 * has been read and the hash matches (psql's own {@code --single-transaction} would commit at
 * end of input, before we know the hash). On a mismatch psql's input ends without COMMIT and
 * it is killed: the server rolls back.
 */
final class PlainRestore {

    private static final byte[] BEGIN = "BEGIN;\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMMIT = "\nCOMMIT;\n".getBytes(StandardCharsets.US_ASCII);

    private final PgTools tools;
    private final BackupSource source;
    private final Plaintext plaintext;
    private final boolean single;

    PlainRestore(PgTools tools, BackupSource source, Plaintext plaintext, boolean single) {
        this.tools = tools;
        this.source = source;
        this.plaintext = plaintext;
        this.single = single;
    }

    Restored into(PgConnection conn, StepContext ctx) throws Exception {
        List<String> argv = List.of(tools.path("psql"), "--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                // query results (set_config, setval rows) are noise under the step; errors still go to stderr
                "--output=/dev/null", "-f", "-", "--dbname=" + RestoreAction.conninfoDbname(conn.database()));
        ctx.log().info("loading " + source.uri() + " into " + conn.display() + " with psql"
                + (single ? " in one transaction" : ""));
        Feed feed = new Feed(ctx, "psql " + conn.database());
        ChildProcess.Result result = ChildProcess.of(argv).env(conn.childEnv()).stdin(feed).run(ctx.log());
        if (!result.ok() || feed.psqlStopped) {
            throw new StepFailure("psql stopped restoring " + source.uri() + " into " + conn.display() + " (exit "
                    + result.exitCode() + "): " + PgTools.errorOf(result)
                    + (single ? "; the transaction was rolled back, the database is as it was before"
                    : "; the database may be partly restored: restore again with clean: true"), null);
        }
        return feed.restored;
    }

    /** Writes psql's input and remembers what it read; psql stopping early is a result, not an error. */
    private final class Feed implements ChildProcess.StdinWriter {

        private final StepContext ctx;
        private final String what;
        private boolean psqlStopped;
        private Restored restored;

        Feed(StepContext ctx, String what) {
            this.ctx = ctx;
            this.what = what;
        }

        @Override
        public void write(OutputStream stdin) throws Exception {
            ChildInput psql = new ChildInput(stdin);
            try {
                if (single) {
                    psql.write(BEGIN);
                }
                Streams.copy(plaintext.stream(), psql, what, what + " was cancelled", ctx);
                restored = plaintext.finish(); // with age: fails unless the whole object decrypted and authenticated
                // throwing here ends psql's input without COMMIT and kills it: rolled back
                source.checkHash(restored.sha256());
                if (single) {
                    psql.write(COMMIT);
                }
            } catch (ChildInput.ChildStoppedReading e) {
                psqlStopped = true; // psql stopped at an error; its exit code and stderr tell why
            }
        }
    }
}
