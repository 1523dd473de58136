package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Custom format: downloaded to a private temporary file (pg_restore needs to seek), its hash
 * and version checked there, then {@code pg_restore} loads it; the file is always deleted.
 */
final class CustomRestore {

    private final PgTools tools;
    private final BackupSource source;
    private final boolean single;
    private final long jobs;

    CustomRestore(PgTools tools, BackupSource source, boolean single, long jobs) {
        this.tools = tools;
        this.source = source;
        this.single = single;
        this.jobs = jobs;
    }

    /**
     * @param target prepares the target database; called only once the download is checked
     */
    Restored run(StepContext ctx, Plaintext plaintext, String localVersion, Callable<RestoreTarget> target) throws Exception {
        Path file = Files.createTempFile(ctx.scratchDir(), "restore-", ".dump",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Restored downloaded = download(ctx, plaintext, file);
            source.checkHash(downloaded.sha256());
            String dumpVersion = source.manifest().map(Manifest::pgDumpVersion).orElse(null);
            if (dumpVersion == null) {
                dumpVersion = listVersion(ctx, file);
            }
            RestoreAction.checkVersion(dumpVersion, localVersion, tools.path("pg_restore"), source.location());
            RestoreTarget into = target.call();
            return into.load(ctx, db -> pgRestore(ctx, file, db, into.staging() != null, downloaded));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private Restored download(StepContext ctx, Plaintext plaintext, Path file) throws Exception {
        ctx.log().info("downloading " + source.uri() + " to a private temporary file for pg_restore");
        try (OutputStream out = Files.newOutputStream(file)) {
            String what = "download " + source.location().key();
            Streams.copy(plaintext.stream(), out, what, what + " was cancelled", ctx);
        }
        return plaintext.finish();
    }

    private Restored pgRestore(StepContext ctx, Path file, PgConnection db, boolean staging, Restored downloaded)
            throws Exception {
        List<String> argv = new ArrayList<>(List.of(tools.path("pg_restore"), "--no-password", "--exit-on-error",
                "--dbname=" + RestoreAction.conninfoDbname(db.database())));
        if (jobs > 1) {
            argv.add("--jobs=" + jobs);
        } else if (single) {
            argv.add("--single-transaction");
        }
        argv.add(file.toString());
        ctx.log().info("restoring into " + db.display() + " with pg_restore"
                + (jobs > 1 ? " (" + jobs + " jobs)" : single ? " in one transaction" : ""));
        ChildProcess.Result result = ChildProcess.of(argv).env(db.childEnv()).run(ctx.log());
        if (!result.ok()) {
            // with a staging copy, RestoreTarget.load says that the target was left as it was
            throw new StepFailure("pg_restore of " + source.uri() + " into " + db.display() + " failed (exit "
                    + result.exitCode() + "): " + PgTools.errorOf(result)
                    + (staging ? ""
                    : jobs == 1 && single ? "; the transaction was rolled back, the database is as it was before"
                    : "; the database may be partly restored: restore again with clean: true"), null);
        }
        return downloaded;
    }

    /** The version pg_restore reads from the archive's header; fails clearly when it cannot read it at all. */
    private String listVersion(StepContext ctx, Path file) throws Exception {
        StringBuilder head = new StringBuilder();
        ChildProcess.Result r = ChildProcess.of(List.of(tools.path("pg_restore"), "--list", file.toString()))
                .stdout(in -> {
                    byte[] first = in.readNBytes(BackupSource.HEADER_BYTES);
                    head.append(new String(first, StandardCharsets.UTF_8));
                    in.transferTo(OutputStream.nullOutputStream());
                })
                .run(ctx.log());
        if (!r.ok()) {
            throw new StepFailure("pg_restore cannot read " + source.uri() + ": " + PgTools.errorOf(r)
                    + " (a newer pg_dump made it? install newer client tools or set bin-dir)", false, null);
        }
        return DumpHeader.pgDumpVersion(head.toString()).orElse(null);
    }
}
