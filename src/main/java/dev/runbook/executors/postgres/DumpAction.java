package dev.runbook.executors.postgres;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.ByteSizes;
import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code postgres.dump}: pg_dump streamed straight into the object store (no temporary file),
 * hashed on the way, kept only when pg_dump exits 0 and its output is complete. The manifest
 * beside it records checksum, versions and exact row counts for restore and verify.
 */
public final class DumpAction implements Action {

    static final String PLAIN_TRAILER = "-- PostgreSQL database dump complete";
    static final String GLOBALS_TRAILER = "-- PostgreSQL database cluster dump complete";

    @Override
    public String name() {
        return "dump";
    }

    @Override
    public String summary() {
        return "Dump a database with pg_dump straight into s3:// or file:// storage, with a manifest";
    }

    @Override
    public List<ParamSpec> params() {
        return PgConnection.withConnection(
                ParamSpec.required("to", ParamType.STRING, "where backups go: s3://bucket/postgres/ or file:///var/backups/postgres/"),
                ObjectLocation.storageSpec(),
                ParamSpec.optional("name", ParamType.STRING, "postgres", "first part of the file name: <name>_<timestamp>.sql"),
                ParamSpec.optional("format", ParamType.STRING, "plain", "plain (SQL, restorable with psql -f) or custom (pg_restore, parallel)")
                        .oneOf("plain", "custom"),
                ParamSpec.optional("compression", ParamType.STRING, "none", "compress the stream: none, gzip or zstd")
                        .oneOf("none", "gzip", "zstd"),
                ParamSpec.optional("globals", ParamType.BOOL, false, "also store roles and tablespaces (pg_dumpall --globals-only)"),
                ParamSpec.optional("timestamp", ParamType.STRING, null, "timestamp in the key (default: when the run started)"),
                ParamSpec.optional("lock-wait-timeout", ParamType.DURATION, null, "give up when a table lock is not granted in this time"),
                ParamSpec.optional("row-counts", ParamType.BOOL, true, "record exact row counts in the manifest (plain: counted in"
                        + " the dump stream as it passes; custom: counted in the dump's snapshot while it runs)"),
                ParamSpec.optional("bin-dir", ParamType.STRING, null, "directory holding pg_dump (default: newest installed)"),
                ParamSpec.optional("verify", ParamType.STRING, "stored",
                        "stored: the checks the store made on upload (S3: CRC32C of every part on arrival, then size and"
                                + " checksum with HEAD) are the verification; read-back: a later step reads the object back"
                                + " (s3.verify), which costs a second transfer").oneOf("stored", "read-back"),
                ParamSpec.optional("encrypt-to", ParamType.LIST, List.of(),
                        "age recipients (public keys, age1...): the dump is encrypted with age before it leaves this"
                                + " machine and the key ends in .age; empty: not encrypted")
                        .ofItems(ParamSpec.element(ParamType.STRING, "an age recipient (age1..., ssh-ed25519 or ssh-rsa)")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("key", ParamType.STRING, "key of the backup object"),
                OutputSpec.of("uri", ParamType.STRING, "full URI of the backup object"),
                OutputSpec.of("sha256", ParamType.STRING, "SHA-256 of the stored bytes"),
                OutputSpec.of("size", ParamType.INT, "stored bytes"),
                OutputSpec.of("timestamp", ParamType.STRING, "timestamp in the key, e.g. 20261125T020000Z"),
                OutputSpec.of("manifest", ParamType.STRING, "full URI of the manifest"),
                OutputSpec.of("rows", ParamType.INT, "rows in the dump's tables (0 when row-counts is off)"));
    }

    @Override
    public String describe(Params params) {
        String format = params.isDeferred("format") ? params.display("format") : params.string("format", "plain");
        String compression = params.isDeferred("compression") ? params.display("compression") : params.string("compression", "none");
        String to = params.display("to");
        boolean encrypted = params.isDeferred("encrypt-to") || !params.list("encrypt-to").isEmpty()
                && !params.strings("encrypt-to").stream().allMatch(String::isBlank);
        String file = params.display("name", "postgres") + "_"
                + (params.has("timestamp") ? params.display("timestamp") : dev.runbook.spi.Deferred.shown("run.started"))
                + ("custom".equals(format) ? ".dump" : ".sql")
                + switch (compression) {
                    case "gzip" -> ".gz";
                    case "zstd" -> ".zst";
                    default -> "";
                }
                + (encrypted ? Age.SUFFIX : "");
        String what = "custom".equals(format) ? "custom format" : "plain SQL";
        if (!"none".equals(compression)) {
            what += ", " + compression;
        }
        if (encrypted) {
            what += ", encrypted with age for " + (params.isDeferred("encrypt-to") ? params.display("encrypt-to")
                    : String.join(", ", params.strings("encrypt-to")));
        }
        boolean globals = !params.isDeferred("globals") && params.bool("globals", false);
        return "dump " + PgConnection.display(params) + " with pg_dump (" + what + ") and stream it to "
                + to + (to.endsWith("/") ? "" : "/") + file
                + (globals ? " plus roles (pg_dumpall --globals-only)" : "")
                + ", kept only if pg_dump succeeds; " + verification(params);
    }

    /** Which verification the plan promises: the store's own checks, or those plus a read-back. */
    private static String verification(Params params) {
        String verify = params.isDeferred("verify") ? params.display("verify") : params.string("verify", "stored");
        boolean s3 = params.display("to").startsWith("s3://");
        return switch (verify) {
            case "stored" -> s3 ? "verified by what S3 checked on upload (CRC32C of every part on arrival, then size and"
                    + " checksum with HEAD), no read-back" : "no read-back (verify: read-back reads it again)";
            case "read-back" -> (s3 ? "checked by S3 on upload, then" : "then") + " read back and its SHA-256 compared"
                    + " by a later step (s3.verify)";
            default -> "verify '" + verify + "' is neither stored nor read-back: the step stops before dumping";
        };
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        String verify = params.string("verify", "stored");
        if (!verify.equals("stored") && !verify.equals("read-back")) {
            throw new StepFailure("verify must be stored or read-back, got '" + verify + "'; nothing was dumped", false, null);
        }
        PgConnection conn = PgConnection.from(params, ctx);
        PgTools tools = PgTools.locate(params.string("bin-dir"), ctx.env());
        String format = params.string("format", "plain");
        String compression = params.string("compression", "none");
        Instant when = timestamp(params.string("timestamp"), ctx.runStarted());
        StorageUri to;
        try {
            to = StorageUri.parse(params.string("to"));
        } catch (BadParameterException e) {
            throw new StepFailure(e.getMessage(), false, e);
        }
        String prefix = to.key().isEmpty() || to.key().endsWith("/") ? to.key() : to.key() + "/";
        List<String> recipients = Age.recipients(params.strings("encrypt-to"));
        String key = BackupKeys.key(prefix, params.string("name", "postgres"), when, format, compression, !recipients.isEmpty());
        StorageUri root = new StorageUri(to.scheme(), to.root(), "");
        String uri = root.child(key);

        String pgDumpVersion = tools.version("pg_dump", ctx.log());
        try (ObjectStore store = ObjectStores.open(to, ObjectLocation.options(params.map("storage")), ctx.env());
             Connection jdbc = conn.connect()) {
            String serverVersion = Sql.serverVersion(jdbc);
            if (PgTools.major(serverVersion) > PgTools.major(pgDumpVersion)) {
                throw new StepFailure("the server " + conn.display() + " runs PostgreSQL " + serverVersion
                        + " but pg_dump is " + pgDumpVersion + " (" + tools.path("pg_dump") + "): install the client tools"
                        + " of version " + PgTools.major(serverVersion) + " or newer, or point bin-dir at them", false, null);
            }
            long databaseSize = Sql.databaseSize(jdbc); // sizes the upload's parts: memory stays small for small databases
            String snapshot = DumpSnapshot.export(jdbc, ctx.log());

            ctx.log().info("dumping " + conn.display() + " (PostgreSQL " + serverVersion + ") with pg_dump "
                    + pgDumpVersion + " to " + uri);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put("database", conn.database());
            metadata.put("pg-dump-version", pgDumpVersion);
            boolean countRows = params.bool("row-counts", true);
            boolean plain = !"custom".equals(format);
            try (ObjectStore.Upload upload = store.startUpload(key, metadata, databaseSize, ctx.log()::info)) {
                // custom format: the counts run in the dump's snapshot beside pg_dump, not after it
                RowCounts counting = countRows && !plain ? RowCounts.start(jdbc, ctx) : null;
                try {
                    Streamed dump = stream(dumpArgv(tools, params, format, compression, snapshot), conn, upload, compression, recipients,
                            countRows && plain, "pg_dump " + conn.database(), ctx);
                    checkComplete(dump, format, "pg_dump", PLAIN_TRAILER, conn, key);
                    ctx.log().progress("pg_dump " + conn.database(), dump.raw(), dump.raw()); // complete: now it is 100%

                    Map<String, Long> tables = null;
                    if (counting != null) {
                        tables = counting.result();
                    } else if (countRows) {
                        tables = dump.rows();
                        if (tables == null) {
                            ctx.log().warn("the dump stream's COPY blocks could not be counted; the backup is kept, but"
                                    + " verify cannot compare row counts against it");
                        } else {
                            ctx.log().info("counted the rows of " + tables.size() + " tables in the dump stream, as it passed");
                        }
                    }
                    String globalsKey = null;
                    ObjectStore.Upload globals = null;
                    try {
                        if (params.bool("globals", false)) {
                            globalsKey = prefix + params.string("name", "postgres") + "_" + BackupKeys.TIMESTAMP.format(when) + ".globals.sql"
                                    + (recipients.isEmpty() ? "" : Age.SUFFIX);
                            globals = store.startUpload(globalsKey, Map.of("database", conn.database()), -1, ctx.log()::info);
                            Streamed g = stream(List.of(tools.path("pg_dumpall"), "--globals-only", "--no-password"),
                                    conn, globals, "none", recipients, false, "pg_dumpall --globals-only", ctx);
                            checkComplete(g, "plain", "pg_dumpall", GLOBALS_TRAILER, conn, globalsKey);
                        }
                        // SPI gap: metadata is given at startUpload, before the checksum is known; the
                        // file store reads the map at commit, so the checksum lands as metadata there.
                        // The manifest is the authoritative record either way.
                        metadata.put("sha256", dump.sha256());
                        ObjectInfo stored = upload.commit();
                        if (globals != null) {
                            globals.commit();
                        }
                        Manifest manifest = new Manifest(key, dump.sha256(), dump.stored(), conn.database(), serverVersion,
                                pgDumpVersion, format, compression, Instant.now().toString(), ctx.runId(), tables,
                                tables == null ? null : plain || snapshot != null, globalsKey,
                                recipients.isEmpty() ? null : "age", recipients.isEmpty() ? null : recipients);
                        String manifestKey = BackupKeys.manifestKey(key);
                        try {
                            store.put(manifestKey, manifest.toJson(), Map.of("sha256", dump.sha256()));
                        } catch (IOException e) {
                            throw new StepFailure("the dump is stored at " + uri + " but its manifest could not be written ("
                                    + e.getMessage() + "); restore still works without it, but the checksum cannot be verified", e);
                        }
                        ctx.log().info("stored " + uri + " (" + stored.size() + " bytes, sha256 " + dump.sha256() + ")");
                        return Outputs.none()
                                .put("key", key)
                                .put("uri", uri)
                                .put("sha256", dump.sha256())
                                .put("size", dump.stored())
                                .put("timestamp", BackupKeys.TIMESTAMP.format(when))
                                .put("manifest", root.child(manifestKey))
                                .put("rows", tables == null ? 0L : tables.values().stream().mapToLong(Long::longValue).sum());
                    } finally {
                        if (globals != null) {
                            globals.abort(); // no-op after commit
                        }
                    }
                } catch (StepFailure | IOException e) {
                    throw withLeftover(e, upload.abort());
                } finally {
                    if (counting != null) {
                        counting.cancel(); // no-op once done; a failed dump need not wait for its counts
                    }
                }
            }
        }
    }

    /**
     * The failure, completed with what the abort could not clean up (an incomplete multipart
     * upload on an endpoint that went away), so the one message says all of it.
     */
    private static Exception withLeftover(Exception failure, Optional<String> leftover) {
        if (leftover.isEmpty()) {
            return failure;
        }
        boolean retryable = !(failure instanceof StepFailure f) || f.retryable();
        return new StepFailure(failure.getMessage() + "; " + leftover.get(), retryable, failure);
    }

    private static List<String> dumpArgv(PgTools tools, Params params, String format, String compression, String snapshot) {
        List<String> argv = new ArrayList<>(List.of(tools.path("pg_dump"), "--no-password",
                "--format=" + ("custom".equals(format) ? "custom" : "plain")));
        if ("custom".equals(format) && !"none".equals(compression)) {
            argv.add("--compress=0"); // the stream is compressed already; do not do it twice
        }
        if (snapshot != null) {
            argv.add("--snapshot=" + snapshot);
        }
        Duration lockWait = params.duration("lock-wait-timeout", null);
        if (lockWait != null) {
            argv.add("--lock-wait-timeout=" + lockWait.toMillis());
        }
        return argv;
    }

    /** What one tool run produced. */
    record Streamed(ChildProcess.Result result, long raw, long stored, String sha256, byte[] head, String tail,
                    Map<String, Long> rows) {
    }

    /** Runs the tool with its stdout going through the trailer check, compression, encryption and hashing into the upload. */
    private static Streamed stream(List<String> argv, PgConnection conn, ObjectStore.Upload upload, String compression,
                                   List<String> recipients, boolean countRows, String what, StepContext ctx) throws Exception {
        DumpStream sink = new DumpStream(upload.stream(), compression, recipients, countRows, what, ctx);
        ChildProcess.Result result = ChildProcess.of(argv).env(conn.childEnv()).stdout(sink).run(ctx.log());
        return sink.result(result);
    }

    private static void checkComplete(Streamed s, String format, String tool, String trailer, PgConnection conn, String key)
            throws StepFailure {
        if (!s.result().ok()) {
            throw new StepFailure(tool + " of " + conn.display() + " failed (exit " + s.result().exitCode() + ") after "
                    + ByteSizes.human(s.raw()) + " of output: " + PgTools.errorOf(s.result()) + "; nothing was stored under " + key, null);
        }
        boolean complete = "custom".equals(format)
                ? new String(s.head(), StandardCharsets.ISO_8859_1).startsWith("PGDMP")
                : s.tail().contains(trailer);
        if (!complete) {
            throw new StepFailure(tool + " of " + conn.display() + " exited 0 but its output (" + s.raw()
                    + " bytes) is incomplete (no '" + ("custom".equals(format) ? "PGDMP header" : trailer)
                    + "'); nothing was stored under " + key, null);
        }
    }

    static Instant timestamp(String text, Instant fallback) throws StepFailure {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            try {
                return BackupKeys.TIMESTAMP.parse(text.trim(), Instant::from);
            } catch (DateTimeParseException e2) {
                throw new StepFailure("timestamp '" + text + "' is neither 2026-11-25T02:00:00Z nor 20261125T020000Z", false, e2);
            }
        }
    }
}
