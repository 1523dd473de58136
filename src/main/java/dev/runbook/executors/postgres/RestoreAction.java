package dev.runbook.executors.postgres;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectStore;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code postgres.restore}: loads a backup object into a database.
 *
 * <p>Plain SQL is streamed from the store into {@code psql -v ON_ERROR_STOP=1}; custom format is
 * downloaded to a private temporary file for {@code pg_restore -j}. The SHA-256 of the stored
 * bytes is checked against the manifest (or the object's metadata) so that a corrupted object
 * never leaves a half-loaded database. {@link BackupSource} reads the object and its checksum,
 * {@link RestoreTarget} decides where it goes (a staging copy with {@code clean}),
 * {@link PlainRestore} and {@link CustomRestore} load it:
 * <ul>
 * <li>plain, one transaction (the default): we wrap the dump ourselves, {@code BEGIN;} first and
 *     {@code COMMIT;} only once the last byte has been read and the hash matches. psql's own
 *     {@code --single-transaction} would commit at end of input, before we know the hash. On a
 *     mismatch psql's input ends without COMMIT and it is killed: the server rolls back.</li>
 * <li>plain without one transaction, or when {@code clean} is about to drop the database: the
 *     object is read once first just to check the hash (twice the download, but nothing is
 *     changed before the backup is known to be intact).</li>
 * <li>custom: the hash is checked on the downloaded file before pg_restore starts.</li>
 * </ul>
 */
public final class RestoreAction implements Action {

    @Override
    public String name() {
        return "restore";
    }

    @Override
    public String summary() {
        return "Load a backup from s3:// or file:// storage into a database (psql or pg_restore), checksum verified";
    }

    @Override
    public List<ParamSpec> params() {
        return PgConnection.withConnection(
                ParamSpec.required("from", ParamType.STRING, "full URI of the backup object, e.g. the uri output of s3.latest"),
                ObjectLocation.storageSpec(),
                ParamSpec.optional("single-transaction", ParamType.BOOL, true,
                        "all or nothing: one transaction (plain, and custom with jobs: 1)"),
                ParamSpec.optional("jobs", ParamType.INT, 1, "connections loading in parallel: pg_restore -j for custom format;"
                        + " for plain SQL the data, indexes and foreign keys over N connections into a staging database"
                        + " that replaces the target only on success"),
                ParamSpec.optional("maintenance-work-mem", ParamType.STRING, "256MB",
                        "maintenance_work_mem of the restore's sessions with jobs > 1 (index builds)"),
                ParamSpec.optional("create-database", ParamType.BOOL, false, "create the target from template0 if it does not exist"),
                ParamSpec.optional("clean", ParamType.BOOL, false,
                        "drop and recreate the target database first; required when it already has tables"),
                ParamSpec.optional("maintenance-database", ParamType.STRING, "postgres",
                        "database to connect to while creating or dropping the target"),
                ParamSpec.optional("bin-dir", ParamType.STRING, null, "directory holding psql and pg_restore (default: newest installed)"),
                ParamSpec.optional("identity-file", ParamType.STRING, null,
                        "age private key file for a backup ending in .age (its path is given to age -i)"),
                ParamSpec.optional("identity", ParamType.STRING, null,
                        "age private key text (AGE-SECRET-KEY-...; default $" + Age.ENV_IDENTITY
                                + "); a secret: written to a 0600 file for age, never to argv").asSensitive());
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("database", ParamType.STRING, "the database restored into"),
                OutputSpec.of("sha256", ParamType.STRING, "SHA-256 of the backup object as read"),
                OutputSpec.of("bytes", ParamType.INT, "bytes read from storage"),
                OutputSpec.of("duration-ms", ParamType.INT, "how long the restore took"));
    }

    @Override
    public boolean destructive(Params params) {
        return params.isDeferred("clean") || params.bool("clean", false);
    }

    @Override
    public String describe(Params params) {
        String from = params.display("from");
        boolean custom = !params.isDeferred("from") && BackupSource.isCustom(params.string("from"));
        boolean clean = destructive(params);
        boolean single = params.isDeferred("single-transaction") || params.bool("single-transaction", true);
        boolean encrypted = !params.isDeferred("from") && Age.encrypted(params.string("from"));
        StringBuilder out = new StringBuilder("load ").append(from).append(encrypted ? " (decrypted with age in the stream)" : "")
                .append(" into ").append(PgConnection.display(params));
        if (clean) {
            out.append(", replacing that database (through a staging copy, swapped in only on success)");
        }
        if (custom) {
            long jobs = params.isDeferred("jobs") ? 1 : params.integer("jobs", 1);
            out.append(" with pg_restore").append(jobs > 1 ? " (" + jobs + " jobs) into a staging database that replaces"
                    + " the target only when pg_restore succeeded" : single ? ", one transaction" : "");
        } else {
            long jobs = params.isDeferred("jobs") ? 1 : params.integer("jobs", 1);
            if (jobs > 1) {
                out.append(" over ").append(jobs).append(" connections (schema with psql, then data, indexes and foreign keys in"
                        + " parallel) into a staging database that replaces the target only when every part succeeded and"
                        + " the checksum matched; session settings ").append(ParallelPlainRestore.describeSettings(jobs,
                        params.isDeferred("maintenance-work-mem") ? "256MB" : params.string("maintenance-work-mem", "256MB")));
            } else {
                out.append(" with psql").append(single ? ", one transaction" : "");
            }
        }
        return out.append(", stopping at the first error").toString();
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        long started = System.nanoTime();
        PgConnection conn = PgConnection.from(params, ctx);
        PgTools tools = PgTools.locate(params.string("bin-dir"), ctx.env());
        ObjectLocation backup = ObjectLocation.parse(params.string("from"));
        boolean clean = params.bool("clean", false);
        boolean single = params.bool("single-transaction", true);
        long jobs = Math.max(1, params.integer("jobs", 1));
        String workMem = params.string("maintenance-work-mem", "256MB");
        if (!workMem.matches("[0-9]+ ?(kB|MB|GB)?")) {
            throw new StepFailure("maintenance-work-mem '" + workMem + "' is not a size like 256MB or 1GB", false, null);
        }
        boolean parallelPlain = jobs > 1 && !BackupSource.isCustom(backup.key());
        // over several connections (plain or pg_restore -j) a restore cannot be one transaction:
        // it always loads a staging database, which becomes the target only when it succeeded
        Callable<RestoreTarget> target = () -> RestoreTarget.prepare(ctx, conn,
                params.string("maintenance-database", "postgres"), params.bool("create-database", false), clean,
                jobs > 1);

        try (ObjectStore store = backup.open(params.map("storage"), ctx.env())) {
            BackupSource source = BackupSource.open(store, backup, ctx);
            String tool = source.custom() ? "pg_restore" : "psql";
            String localVersion = tools.version(tool, ctx.log());

            Restored restored;
            try (Age.Identity identity = source.encrypted() ? Age.Identity.from(params, ctx, source.uri()) : null) {
                if (!source.custom() && source.expectedSha256() != null && !single && !parallelPlain) {
                    // without one transaction nothing could be undone: check the whole object first
                    source.checkHash(source.hashOnly(ctx));
                }
                try (Plaintext plaintext = Plaintext.open(source, identity, ctx)) {
                    if (source.custom()) {
                        restored = new CustomRestore(tools, source, single, jobs).run(ctx, plaintext, localVersion, target);
                    } else {
                        String dumpVersion = source.manifest().map(Manifest::pgDumpVersion)
                                .or(() -> DumpHeader.pgDumpVersion(plaintext.head())).orElse(null);
                        checkVersion(dumpVersion, localVersion, tools.path(tool), backup);
                        restored = parallelPlain
                                ? target.call().load(ctx, into -> new ParallelPlainRestore(tools, source, plaintext,
                                        (int) Math.min(jobs, 64), workMem, ctx).into(into))
                                : target.call().load(ctx, into -> new PlainRestore(tools, source, plaintext, single).into(into, ctx));
                    }
                }
            }
            long ms = (System.nanoTime() - started) / 1_000_000;
            ctx.log().info("restored " + backup.uri() + " into " + conn.display() + " (" + restored.bytes() + " bytes in " + ms + " ms)");
            return Outputs.none()
                    .put("database", conn.database())
                    .put("sha256", restored.sha256())
                    .put("bytes", restored.bytes())
                    .put("duration-ms", ms);
        }
    }

    static void checkVersion(String dumpVersion, String localVersion, String tool, ObjectLocation backup) throws StepFailure {
        if (dumpVersion != null && PgTools.major(dumpVersion) > PgTools.major(localVersion)) {
            throw new StepFailure(backup.uri() + " was made by pg_dump " + dumpVersion + ", newer than " + tool + " "
                    + localVersion + " here; install client tools of version " + PgTools.major(dumpVersion)
                    + " or newer (or set bin-dir to them) and run again", false, null);
        }
    }

    /** A libpq conninfo naming only the database, so a name containing '=' is not read as a connection string. */
    static String conninfoDbname(String database) {
        return "dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
