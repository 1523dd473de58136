package dev.runbook.executors.postgres;

import dev.runbook.spi.Action;
import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ArchivedObjectException;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code postgres.restore}: loads a backup object into a database.
 *
 * <p>Plain SQL is streamed from the store into {@code psql -v ON_ERROR_STOP=1}; custom format is
 * downloaded to a private temporary file for {@code pg_restore -j}. The SHA-256 of the stored
 * bytes is checked against the manifest (or the object's metadata) so that a corrupted object
 * never leaves a half-loaded database:
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

    private static final int HEADER_BYTES = 16 * 1024;

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
                ParamSpec.optional("jobs", ParamType.INT, 1, "parallel pg_restore jobs (custom format only)"),
                ParamSpec.optional("create-database", ParamType.BOOL, false, "create the target from template0 if it does not exist"),
                ParamSpec.optional("clean", ParamType.BOOL, false,
                        "drop and recreate the target database first; required when it already has tables"),
                ParamSpec.optional("maintenance-database", ParamType.STRING, "postgres",
                        "database to connect to while creating or dropping the target"),
                ParamSpec.optional("bin-dir", ParamType.STRING, null, "directory holding psql and pg_restore (default: newest installed)"));
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
        boolean custom = !params.isDeferred("from") && isCustom(params.string("from"));
        boolean clean = destructive(params);
        boolean single = params.isDeferred("single-transaction") || params.bool("single-transaction", true);
        StringBuilder out = new StringBuilder("load ").append(from).append(" into ").append(PgConnection.display(params));
        if (clean) {
            out.append(", replacing that database (through a staging copy, swapped in only on success)");
        }
        if (custom) {
            long jobs = params.isDeferred("jobs") ? 1 : params.integer("jobs", 1);
            out.append(" with pg_restore").append(jobs > 1 ? " (" + jobs + " jobs)" : single ? ", one transaction" : "");
        } else {
            out.append(" with psql").append(single ? ", one transaction" : "");
        }
        return out.append(", stopping at the first error").toString();
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        long started = System.nanoTime();
        PgConnection conn = PgConnection.from(params, ctx);
        PgTools tools = PgTools.locate(params.string("bin-dir"), ctx.env());
        ObjectLocation backup = ObjectLocation.parse(params.string("from"));
        String key = backup.key();
        boolean custom = isCustom(key);
        String compression = Compression.ofKey(key);
        boolean clean = params.bool("clean", false);
        boolean single = params.bool("single-transaction", true);
        long jobs = Math.max(1, params.integer("jobs", 1));

        try (ObjectStore store = backup.open(params.map("storage"), ctx.env())) {
            ObjectInfo info = statOrFail(store, backup);
            Optional<Manifest> manifest = readManifest(store, backup, ctx);
            String expected = manifest.map(Manifest::sha256).orElse(info.metadata().get("sha256"));
            if (expected == null) {
                ctx.log().warn("no manifest and no sha256 metadata beside " + backup.uri()
                        + ": the backup's integrity cannot be checked, psql's errors are the only guard");
            }
            String tool = custom ? "pg_restore" : "psql";
            String localVersion = tools.version(tool, ctx.log());

            Restored restored;
            if (custom) {
                restored = restoreCustom(params, ctx, conn, tools, store, backup, expected, manifest, localVersion, clean, single, jobs);
            } else {
                String dumpVersion = manifest.map(Manifest::pgDumpVersion)
                        .or(() -> peekVersion(store, key, compression)).orElse(null);
                checkVersion(dumpVersion, localVersion, tools.path(tool), backup);
                if (expected != null && !single) {
                    String actual = hashOnly(store, backup, ctx);
                    checkHash(expected, actual, backup);
                }
                RestoreTarget target = prepareTarget(params, ctx, conn, clean);
                try {
                    restored = restorePlain(ctx, target.into(), tools, store, backup, compression, expected, single);
                } catch (StepFailure e) {
                    target.discard(ctx);
                    throw target.staging() == null ? e : new StepFailure(e.getMessage() + " (that was the staging copy "
                            + target.staging() + ", now dropped; " + conn.database() + " was left as it was)", e.retryable(), e);
                } catch (Exception e) {
                    target.discard(ctx);
                    throw e;
                }
                target.finish(ctx);
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

    record Restored(String sha256, long bytes) {
    }

    static boolean isCustom(String keyOrUri) {
        return BackupKeys.parse(keyOrUri).map(p -> p.format().equals("custom"))
                .orElse(keyOrUri.matches(".*\\.dump(\\.gz|\\.zst)?$"));
    }

    // ---- plain -------------------------------------------------------------------------------

    private Restored restorePlain(StepContext ctx, PgConnection conn, PgTools tools, ObjectStore store, ObjectLocation backup,
                                  String compression, String expected, boolean single) throws Exception {
        List<String> argv = List.of(tools.path("psql"), "--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                // query results (set_config, setval rows) are noise under the step; errors still go to stderr
                "--output=/dev/null", "-f", "-", "--dbname=" + conninfoDbname(conn.database()));
        ctx.log().info("loading " + backup.uri() + " into " + conn.display() + " with psql"
                + (single ? " in one transaction" : ""));
        String[] hash = new String[1];
        long[] bytes = new long[1];
        boolean[] psqlGone = new boolean[1];
        ChildProcess.Result result = ChildProcess.of(argv)
                .env(conn.childEnv())
                .stdin(stdin -> {
                    try (HashingInputStream stored = new HashingInputStream(openOrFail(store, backup));
                         InputStream sql = Compression.decompress(compression, stored)) {
                        try {
                            if (single) {
                                stdin.write("BEGIN;\n".getBytes(StandardCharsets.US_ASCII));
                            }
                            copy(sql, stdin, "psql " + conn.database(), ctx);
                        } catch (IOException e) {
                            if (!isBrokenPipe(e)) {
                                throw e;
                            }
                            psqlGone[0] = true; // psql stopped at an error; its exit code and stderr tell why
                            return;
                        }
                        stored.drain();
                        hash[0] = stored.hex();
                        bytes[0] = stored.count();
                        if (expected != null) {
                            // throwing here ends psql's input without COMMIT and kills it: rolled back
                            checkHash(expected, hash[0], backup);
                        }
                        if (single) {
                            try {
                                stdin.write("\nCOMMIT;\n".getBytes(StandardCharsets.US_ASCII));
                            } catch (IOException e) {
                                psqlGone[0] = true;
                            }
                        }
                    }
                })
                .run(ctx.log());
        if (!result.ok() || psqlGone[0]) {
            throw new StepFailure("psql stopped restoring " + backup.uri() + " into " + conn.display() + " (exit "
                    + result.exitCode() + "): " + PgTools.errorOf(result)
                    + (single ? "; the transaction was rolled back, the database is as it was before"
                    : "; the database may be partly restored: restore again with clean: true"), null);
        }
        return new Restored(hash[0], bytes[0]);
    }

    // ---- custom ------------------------------------------------------------------------------

    private Restored restoreCustom(Params params, StepContext ctx, PgConnection conn, PgTools tools, ObjectStore store,
                                   ObjectLocation backup, String expected, Optional<Manifest> manifest, String localVersion,
                                   boolean clean, boolean single, long jobs) throws Exception {
        Path file = Files.createTempFile(ctx.scratchDir(), "restore-", ".dump",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            String actual;
            long bytes;
            ctx.log().info("downloading " + backup.uri() + " to a private temporary file for pg_restore");
            try (HashingInputStream stored = new HashingInputStream(openOrFail(store, backup));
                 InputStream dump = Compression.decompress(Compression.ofKey(backup.key()), stored);
                 OutputStream out = Files.newOutputStream(file)) {
                copy(dump, out, "download " + backup.key(), ctx);
                stored.drain();
                actual = stored.hex();
                bytes = stored.count();
            }
            if (expected != null) {
                checkHash(expected, actual, backup);
            }
            String dumpVersion = manifest.map(Manifest::pgDumpVersion).orElse(null);
            if (dumpVersion == null) {
                dumpVersion = listVersion(ctx, tools, file, backup);
            }
            checkVersion(dumpVersion, localVersion, tools.path("pg_restore"), backup);
            RestoreTarget target = prepareTarget(params, ctx, conn, clean);
            PgConnection into = target.into();
            List<String> argv = new ArrayList<>(List.of(tools.path("pg_restore"), "--no-password", "--exit-on-error",
                    "--dbname=" + conninfoDbname(into.database())));
            if (jobs > 1) {
                argv.add("--jobs=" + jobs);
            } else if (single) {
                argv.add("--single-transaction");
            }
            argv.add(file.toString());
            ctx.log().info("restoring into " + conn.display() + " with pg_restore"
                    + (jobs > 1 ? " (" + jobs + " jobs)" : single ? " in one transaction" : ""));
            ChildProcess.Result result;
            try {
                result = ChildProcess.of(argv).env(into.childEnv()).run(ctx.log());
            } catch (Exception e) {
                target.discard(ctx);
                throw e;
            }
            if (!result.ok()) {
                target.discard(ctx);
                throw new StepFailure("pg_restore of " + backup.uri() + " into " + conn.display() + " failed (exit "
                        + result.exitCode() + "): " + PgTools.errorOf(result)
                        + (target.staging() != null ? "; " + conn.database() + " was left as it was"
                        : jobs == 1 && single ? "; the transaction was rolled back, the database is as it was before"
                        : "; the database may be partly restored: restore again with clean: true"), null);
            }
            target.finish(ctx);
            return new Restored(actual, bytes);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The version pg_restore reads from the archive's header; fails clearly when it cannot read it at all. */
    private static String listVersion(StepContext ctx, PgTools tools, Path file, ObjectLocation backup) throws Exception {
        StringBuilder head = new StringBuilder();
        ChildProcess.Result r = ChildProcess.of(List.of(tools.path("pg_restore"), "--list", file.toString()))
                .stdout(in -> {
                    byte[] first = in.readNBytes(HEADER_BYTES);
                    head.append(new String(first, StandardCharsets.UTF_8));
                    in.transferTo(OutputStream.nullOutputStream());
                })
                .run(ctx.log());
        if (!r.ok()) {
            throw new StepFailure("pg_restore cannot read " + backup.uri() + ": " + PgTools.errorOf(r)
                    + " (a newer pg_dump made it? install newer client tools or set bin-dir)", false, null);
        }
        return DumpHeader.pgDumpVersion(head.toString()).orElse(null);
    }

    // ---- shared ------------------------------------------------------------------------------

    /**
     * Where the restore goes. With {@code clean} on an existing database it goes into a staging
     * database first, which replaces the target only once the restore succeeded: a failed or
     * refused restore leaves the target exactly as it was.
     *
     * @param staging the staging database's name, or null when restoring straight into the target
     */
    record RestoreTarget(PgConnection target, String staging, String maintenanceDb) {

        PgConnection into() {
            return staging == null ? target : target.withDatabase(staging);
        }

        /** Swaps the restored staging database in place of the target. */
        void finish(StepContext ctx) throws Exception {
            if (staging == null) {
                return;
            }
            try (Connection m = Databases.maintenance(target, maintenanceDb)) {
                try {
                    Databases.drop(m, target.database(), target.hostPort());
                } catch (StepFailure e) {
                    throw new StepFailure(e.getMessage() + ". The restored data is complete in database " + staging
                            + "; once the sessions are gone, drop " + target.database() + " and rename " + staging
                            + " to it, or run this step again", e.retryable(), e);
                }
                try (Statement st = m.createStatement()) {
                    st.execute("ALTER DATABASE " + Sql.ident(staging) + " RENAME TO " + Sql.ident(target.database()));
                }
            }
            ctx.log().info("replaced database " + target.database() + " with the restored copy");
        }

        /** Drops the staging database after a failure; the target was never touched. */
        void discard(StepContext ctx) {
            if (staging == null) {
                return;
            }
            try (Connection m = Databases.maintenance(target, maintenanceDb)) {
                Databases.drop(m, staging, target.hostPort());
            } catch (Exception e) {
                ctx.log().warn("could not drop the staging database " + staging + " (" + e.getMessage() + "); drop it by hand");
            }
        }
    }

    /**
     * Makes sure the restore goes into an empty database: creates a missing target when asked,
     * refuses one that already has tables unless {@code clean}, which restores into a staging
     * copy (same owner, encoding and locale) that replaces the target on success.
     */
    private static RestoreTarget prepareTarget(Params params, StepContext ctx, PgConnection conn, boolean clean) throws Exception {
        String maintenanceDb = params.string("maintenance-database", "postgres");
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
            if (!params.bool("create-database", false)) {
                throw new StepFailure("database " + conn.database() + " does not exist on " + conn.hostPort()
                        + "; create it first (postgres.create-database) or set create-database: true", false, null);
            }
            try (Connection m = Databases.maintenance(conn, maintenanceDb)) {
                Databases.create(m, conn.database(), Optional.empty(), null);
            }
            ctx.log().info("created database " + conn.database() + " on " + conn.hostPort() + " from template0");
            return new RestoreTarget(conn, null, maintenanceDb);
        }
        if (clean) {
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
            return new RestoreTarget(conn, staging, maintenanceDb);
        }
        if (!tables.isEmpty()) {
            String examples = String.join(", ", tables.stream().limit(3).map(Sql.Table::qualified).toList())
                    + (tables.size() > 3 ? ", ..." : "");
            throw new StepFailure("database " + conn.display() + " is not empty (" + tables.size() + " tables: " + examples
                    + "); restoring on top would mix old and restored data. Restore into a new database"
                    + " (create-database: true), or set clean: true to replace " + conn.database(), false, null);
        }
        return new RestoreTarget(conn, null, maintenanceDb);
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

    private static ObjectInfo statOrFail(ObjectStore store, ObjectLocation backup) throws StepFailure, IOException {
        Optional<ObjectInfo> info = store.stat(backup.key());
        if (info.isEmpty()) {
            throw new StepFailure("there is no backup at " + backup.uri() + "; check the location (s3.latest finds the newest)",
                    false, null);
        }
        if (info.get().archived()) {
            throw new StepFailure(backup.uri() + " is in the " + info.get().storageClass()
                    + " archive tier; restore it to a readable tier first (s3.restore-archived), then run again", false, null);
        }
        return info.get();
    }

    private static InputStream openOrFail(ObjectStore store, ObjectLocation backup) throws IOException, StepFailure {
        try {
            return store.open(backup.key());
        } catch (ArchivedObjectException e) {
            throw new StepFailure(e.getMessage(), false, e);
        } catch (NoSuchFileException e) {
            throw new StepFailure("there is no backup at " + backup.uri(), false, e);
        }
    }

    private static Optional<Manifest> readManifest(ObjectStore store, ObjectLocation backup, StepContext ctx) throws StepFailure {
        String key = BackupKeys.manifestKey(backup.key());
        try {
            if (store.stat(key).isEmpty()) {
                return Optional.empty();
            }
            try (InputStream in = store.open(key)) {
                return Optional.of(Manifest.fromJson(in.readAllBytes()));
            }
        } catch (IOException e) {
            throw new StepFailure("the manifest beside " + backup.uri() + " cannot be read (" + e.getMessage()
                    + "); fix or delete " + backup.sibling(key).uri() + " and run again", false, e);
        }
    }

    /** The pg_dump version in a plain dump's first lines, reading only those. */
    private static Optional<String> peekVersion(ObjectStore store, String key, String compression) {
        try (InputStream in = Compression.decompress(compression, store.open(key))) {
            return DumpHeader.pgDumpVersion(in.readNBytes(HEADER_BYTES));
        } catch (IOException e) {
            return Optional.empty(); // the restore itself reports an unreadable object
        }
    }

    private static String hashOnly(ObjectStore store, ObjectLocation backup, StepContext ctx) throws IOException, StepFailure {
        ctx.log().info("checking the checksum of " + backup.uri() + " before changing anything");
        try (HashingInputStream in = new HashingInputStream(openOrFail(store, backup))) {
            in.drain();
            return in.hex();
        }
    }

    static void checkHash(String expected, String actual, ObjectLocation backup) throws StepFailure {
        if (!expected.equalsIgnoreCase(actual)) {
            throw new StepFailure("checksum mismatch for " + backup.uri() + ": the manifest says sha256 " + expected
                    + " but the object reads as " + actual + ". The backup is corrupted or was replaced; nothing was"
                    + " restored. Use another backup (an older one from s3.latest/list)", false, null);
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

    private static void copy(InputStream in, OutputStream out, String what, StepContext ctx) throws IOException, StepFailure {
        byte[] buf = new byte[256 * 1024];
        long done = 0;
        long next = 8L << 20;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (ctx.cancelled()) {
                throw new StepFailure(what + " was cancelled", false, null);
            }
            out.write(buf, 0, n);
            done += n;
            if (done >= next) {
                ctx.log().progress(what, done, -1);
                next += 8L << 20;
            }
        }
        ctx.log().progress(what, done, done);
    }

    private static boolean isBrokenPipe(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        return m.contains("broken pipe") || m.contains("stream closed");
    }
}
