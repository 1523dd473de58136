package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code jobs: N} for a plain dump, reading the stream once ({@link PlainDumpSplitter}):
 * <ol>
 * <li>the schema (pre-data) with psql, exactly as a serial restore runs it;</li>
 * <li>the rows of every COPY block over N connections, in chunks of whole lines, so that one
 *     large table is loaded by all N connections at once;</li>
 * <li>once the whole stream is read and its SHA-256 matched: indexes, primary keys and unique
 *     constraints over N connections, then index partitions attached, then foreign keys over N
 *     connections;</li>
 * <li>everything else (sequence values, large objects, triggers, rules, grants...) with psql in
 *     dump order.</li>
 * </ol>
 * It always loads a staging database that replaces the target only when every part succeeded
 * ({@link RestoreTarget}); N connections cannot share one transaction. The pieces kept for the
 * end are spooled to private (0600) files in the step's scratch directory, never held in memory.
 */
final class ParallelPlainRestore implements PlainDumpSplitter.Sink {

    /** COPY rows per task: large enough that one COPY command carries many rows, small enough to bound memory. */
    static final int CHUNK_BYTES = 4 * 1024 * 1024;

    private final PgTools tools;
    private final BackupSource source;
    private final Plaintext plaintext;
    private final int jobs;
    private final String maintenanceWorkMem;
    private final StepContext ctx;
    private PgConnection db;
    private LoadWorkers workers;
    private Path preDataFile;
    private OutputStream preData;
    private Path tailFile;
    private OutputStream tail;
    private final Map<String, String> tailSession = new HashMap<>();
    private boolean tailStarted;
    private String restrictLine; // the restrict line (psql) of the preamble, repeated at the start of the tail
    private final List<LoadWorkers.Ddl> indexes = new ArrayList<>();
    private final List<String> attaches = new ArrayList<>();
    private final List<LoadWorkers.Ddl> foreignKeys = new ArrayList<>();
    private Map<String, String> attachSession = Map.of();
    private String copyStatement;
    private String copyWhat;
    private Map<String, String> copySession;
    private long copyChunks;
    private final PlainDumpSplitter splitter = new PlainDumpSplitter(CHUNK_BYTES, this);

    ParallelPlainRestore(PgTools tools, BackupSource source, Plaintext plaintext, int jobs, String maintenanceWorkMem,
                         StepContext ctx) {
        this.tools = tools;
        this.source = source;
        this.plaintext = plaintext;
        this.jobs = jobs;
        this.maintenanceWorkMem = maintenanceWorkMem;
        this.ctx = ctx;
    }

    /** The session settings every connection of the restore uses (shown in the plan too). */
    static List<String> settings(int jobs, String maintenanceWorkMem) {
        return List.of("SET synchronous_commit = off",
                "SET maintenance_work_mem = '" + Sql.literal(maintenanceWorkMem) + "'",
                "SET max_parallel_maintenance_workers = " + jobs);
    }

    static String describeSettings(long jobs, String maintenanceWorkMem) {
        return "synchronous_commit=off, maintenance_work_mem=" + maintenanceWorkMem
                + ", max_parallel_maintenance_workers=" + jobs;
    }

    /** Loads the dump into {@code into} (the staging database). */
    Restored into(PgConnection into) throws Exception {
        this.db = into;
        ctx.log().info("loading " + source.uri() + " into " + into.display() + " with " + jobs + " connections ("
                + describeSettings(jobs, maintenanceWorkMem) + ")");
        preDataFile = privateFile("pre-data-");
        tailFile = privateFile("post-data-");
        try {
            preData = new BufferedOutputStream(Files.newOutputStream(preDataFile));
            tail = new BufferedOutputStream(Files.newOutputStream(tailFile));
            long started = System.nanoTime();
            splitter.split(plaintext.stream());
            if (workers != null) {
                workers.awaitIdle();
            }
            Restored restored = plaintext.finish();
            source.checkHash(restored.sha256()); // before any index or constraint: a bad backup fails early
            ctx.log().info("schema and data loaded (" + copyChunks + " COPY chunks) in " + ms(started) + " ms; the"
                    + " checksum matched");
            started = System.nanoTime();
            for (LoadWorkers.Ddl ddl : indexes) {
                workers.submit(ddl);
            }
            workers.awaitIdle();
            if (!attaches.isEmpty()) {
                workers.submit(new LoadWorkers.Ddl(String.join("\n", attaches), attachSession, "attaching index partitions"));
                workers.awaitIdle();
            }
            for (LoadWorkers.Ddl ddl : foreignKeys) {
                workers.submit(ddl);
            }
            workers.awaitIdle();
            ctx.log().info(indexes.size() + " indexes and constraints, " + foreignKeys.size() + " foreign keys built in "
                    + ms(started) + " ms");
            tail.close();
            psql(tailFile, "the rest of the dump (sequence values, large objects, triggers, grants...)");
            return restored;
        } finally {
            if (workers != null) {
                workers.close();
            }
            closeQuietly(preData);
            closeQuietly(tail);
            Files.deleteIfExists(preDataFile);
            Files.deleteIfExists(tailFile);
        }
    }

    private static long ms(long since) {
        return (System.nanoTime() - since) / 1_000_000;
    }

    @Override
    public void preData(byte[] buf, int off, int len) throws Exception {
        if (len > 1 && buf[off] == '\\') {
            String line = new String(buf, off, len, StandardCharsets.UTF_8);
            if (line.startsWith("\\restrict ")) {
                restrictLine = line;
            } else if (!line.startsWith("\\unrestrict ")) {
                // e.g. \connect of a dump made with --create: it would load another database than the staging one
                throw new StepFailure(source.uri() + " contains the psql command '" + line.strip() + "' in its schema"
                        + " section, which a restore with jobs > 1 cannot follow; restore it with jobs: 1", false, null);
            }
        }
        preData.write(buf, off, len);
    }

    @Override
    public void endOfPreData() throws Exception {
        preData.close();
        psql(preDataFile, "the schema (pre-data section)");
        Map<String, String> session = splitter.session();
        String encoding = session.getOrDefault("client_encoding", "SET client_encoding = 'UTF8';");
        if (!encoding.toUpperCase(java.util.Locale.ROOT).contains("'UTF8'")) {
            throw new StepFailure(source.uri() + " is not UTF8-encoded (" + encoding.strip() + "); jobs > 1 for a"
                    + " plain dump needs UTF8: restore it with jobs: 1", false, null);
        }
        workers = new LoadWorkers(db, jobs, settings(jobs, maintenanceWorkMem), ctx);
    }

    @Override
    public void copyStart(PlainDumpSplitter.Header header, String copy) {
        copyStatement = copy;
        copySession = splitter.session();
        copyWhat = "COPY into " + header.schema() + "." + header.name();
    }

    @Override
    public void copyRows(byte[] buf, int off, int len) throws Exception {
        if (ctx.cancelled()) {
            throw new StepFailure("the restore was cancelled", false, null);
        }
        copyChunks++;
        byte[] rows = workers.buffer(len);
        System.arraycopy(buf, off, rows, 0, len);
        workers.submit(new LoadWorkers.Copy(copyStatement, rows, len, copySession, copyWhat));
    }

    @Override
    public void copyEnd() {
        copyStatement = null;
    }

    @Override
    public void entry(PlainDumpSplitter.Header header, String sql, Map<String, String> session) throws Exception {
        String what = header.type() + " " + header.name();
        switch (PlainDumpSplitter.Phase.of(header.type())) {
            case INDEXES -> indexes.add(new LoadWorkers.Ddl(jdbcText(sql, what), session, what));
            case ATTACH -> {
                attaches.add(jdbcText(sql, what));
                attachSession = session;
            }
            case FOREIGN_KEYS -> foreignKeys.add(new LoadWorkers.Ddl(jdbcText(sql, what), session, what));
            case TAIL -> writeTail(sql, session);
        }
    }

    /** An entry for the tail's psql, after the settings it needs that the tail has not had yet. */
    private void writeTail(String sql, Map<String, String> session) throws Exception {
        if (!tailStarted && restrictLine != null) {
            tail.write(restrictLine.getBytes(StandardCharsets.UTF_8));
        }
        tailStarted = true;
        StringBuilder text = new StringBuilder();
        for (Map.Entry<String, String> s : session.entrySet()) {
            if (!s.getValue().equals(tailSession.put(s.getKey(), s.getValue()))) {
                text.append(s.getValue()).append('\n');
            }
        }
        text.append(withoutRestrict(sql));
        tail.write(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** the restrict and unrestrict lines of psql go; any other psql command cannot run over JDBC. */
    private String jdbcText(String sql, String what) throws StepFailure {
        String text = withoutRestrict(sql);
        for (String line : text.split("\n")) {
            if (line.startsWith("\\")) {
                throw new StepFailure(source.uri() + ": " + what + " contains the psql command '" + line.strip()
                        + "', which jobs > 1 cannot run; restore it with jobs: 1", false, null);
            }
        }
        return text;
    }

    private static String withoutRestrict(String sql) {
        if (!sql.contains("\\restrict") && !sql.contains("\\unrestrict")) {
            return sql;
        }
        StringBuilder out = new StringBuilder();
        for (String line : sql.split("(?<=\n)")) {
            if (!line.startsWith("\\restrict ") && !line.startsWith("\\unrestrict ")) {
                out.append(line);
            }
        }
        return out.toString();
    }

    /** Runs one spooled part with psql, stopping at the first error, with the restore's settings. */
    private void psql(Path file, String what) throws Exception {
        List<String> argv = List.of(tools.path("psql"), "--no-password", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                "--output=/dev/null", "-f", file.toString(),
                "--dbname=" + RestoreAction.conninfoDbname(db.database()));
        Map<String, String> env = new HashMap<>(db.childEnv());
        env.put("PGOPTIONS", "-c synchronous_commit=off -c maintenance_work_mem=" + maintenanceWorkMem.replace(" ", "")
                + " -c max_parallel_maintenance_workers=" + jobs);
        ChildProcess.Result result = ChildProcess.of(argv).env(env).run(ctx.log());
        if (!result.ok()) {
            throw new StepFailure("psql stopped restoring " + what + " of " + source.uri() + " into " + db.display()
                    + " (exit " + result.exitCode() + "): " + PgTools.errorOf(result), null);
        }
    }

    private Path privateFile(String prefix) throws java.io.IOException {
        return Files.createTempFile(ctx.scratchDir(), prefix, ".sql",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    }

    private static void closeQuietly(OutputStream out) {
        if (out != null) {
            try {
                out.close();
            } catch (java.io.IOException ignored) {
                // deleted next
            }
        }
    }
}
