package dev.runbook.executors.postgres;

import dev.runbook.spi.Action;
import dev.runbook.spi.BadParameterException;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plan text, flags and the small pure parts; no database needed. */
class PostgresExecutorTest {

    private static final Map<String, Object> APP = Map.of("database", "app", "host", "localhost", "port", 5432L);

    private static Params with(Map<String, Object> base, Map<String, Object> more) {
        Map<String, Object> all = new java.util.HashMap<>(base);
        all.putAll(more);
        return Params.of(all);
    }

    @Test
    void dumpDescribesWhereTheBackupGoesAndWhenItIsKept() {
        String line = new DumpAction().describe(with(APP, Map.of("to", "file:///var/backups/postgres/")));
        assertEquals("dump app@localhost:5432 with pg_dump (plain SQL) and stream it to "
                + "file:///var/backups/postgres/postgres_⟨from run.started⟩.sql, kept only if pg_dump succeeds;"
                + " no read-back (verify: read-back reads it again)", line);

        String zstd = new DumpAction().describe(with(APP, Map.of("to", "s3://b/postgres", "format", "custom",
                "compression", "zstd", "globals", true)));
        assertEquals("dump app@localhost:5432 with pg_dump (custom format, zstd) and stream it to "
                + "s3://b/postgres/postgres_⟨from run.started⟩.dump.zst plus roles (pg_dumpall --globals-only),"
                + " kept only if pg_dump succeeds; verified by what S3 checked on upload (CRC32C of every part on arrival,"
                + " then size and checksum with HEAD), no read-back", zstd);

        String readBack = new DumpAction().describe(with(APP, Map.of("to", "s3://b/postgres", "verify", "read-back")));
        assertTrue(readBack.endsWith("; checked by S3 on upload, then read back and its SHA-256 compared by a later step"
                + " (s3.verify)"), readBack);
    }

    @Test
    void restoreDescribesTheLoadAndWhetherItDestroysAnything() {
        RestoreAction restore = new RestoreAction();
        Params plain = with(APP, Map.of("from", "s3://b/postgres/postgres_20261125T020000Z.sql"));
        assertEquals("load s3://b/postgres/postgres_20261125T020000Z.sql into app@localhost:5432 with psql,"
                + " one transaction, stopping at the first error", restore.describe(plain));
        assertFalse(restore.destructive(plain));

        Params fromStep = with(APP, Map.of("from", new Deferred("steps.latest.outputs.uri"), "clean", true));
        assertEquals("load ⟨from steps.latest.outputs.uri⟩ into app@localhost:5432, replacing that database (through a"
                + " staging copy, swapped in only on success) with psql, one transaction, stopping at the first error",
                restore.describe(fromStep));
        assertTrue(restore.destructive(fromStep));

        Params custom = with(APP, Map.of("from", "file:///b/postgres_20261125T020000Z.dump", "jobs", 4L));
        assertEquals("load file:///b/postgres_20261125T020000Z.dump into app@localhost:5432 with pg_restore (4 jobs)"
                + " into a staging database that replaces the target only when pg_restore succeeded,"
                + " stopping at the first error", restore.describe(custom));

        Params plainJobs = with(APP, Map.of("from", "s3://b/postgres/postgres_20261125T020000Z.sql", "jobs", 2L,
                "maintenance-work-mem", "1GB"));
        assertEquals("load s3://b/postgres/postgres_20261125T020000Z.sql into app@localhost:5432 over 2 connections"
                + " (schema with psql, then data, indexes and foreign keys in parallel) into a staging database that"
                + " replaces the target only when every part succeeded and the checksum matched; session settings"
                + " synchronous_commit=off, maintenance_work_mem=1GB, max_parallel_maintenance_workers=2,"
                + " stopping at the first error", restore.describe(plainJobs));
        assertFalse(restore.destructive(plainJobs));
    }

    @Test
    void describeNeverShowsThePasswordAndNamesEnvironmentDefaults() {
        Params p = Params.of(Map.of("to", "s3://b/p/", "password", new Secret("hunter2")));
        String line = new DumpAction().describe(p);
        assertFalse(line.contains("hunter2"));
        assertTrue(line.startsWith("dump $PGDATABASE@$PGHOST:$PGPORT "), line);
    }

    @Test
    void onlyDestroyingActionsAreDestructive() {
        Params none = Params.of(Map.of());
        assertTrue(new DropDatabaseAction().destructive(none));
        assertFalse(new CreateDatabaseAction().destructive(none));
        assertFalse(new DumpAction().destructive(none));
        assertFalse(new QueryAction().destructive(none));
        assertTrue(new QueryAction().destructive(Params.of(Map.of("read-only", false))));
    }

    @Test
    void everyActionTakesTheConnectionParamsAndOnlyThePasswordAndTheAgeIdentityAreSensitive() {
        Set<String> names = new HashSet<>();
        for (Action a : new PostgresExecutor().actions()) {
            assertTrue(names.add(a.name()), "unique action names");
            for (String conn : new String[] {"host", "port", "user", "database", "password", "sslmode"}) {
                assertTrue(a.params().stream().anyMatch(s -> s.name().equals(conn)), a.name() + " takes " + conn);
            }
            for (ParamSpec s : a.params()) {
                boolean secret = s.name().equals("password") || a.name().equals("restore") && s.name().equals("identity");
                assertEquals(secret, s.sensitive(), a.name() + "." + s.name());
            }
        }
        assertEquals(Set.of("dump", "restore", "query", "verify", "wait-ready", "create-database", "drop-database"), names);
    }

    @Test
    void expectationsCompareNumbersAndText() {
        assertTrue(Expectation.parse("count", "> 0").test(5L));
        assertFalse(Expectation.parse("count", "> 0").test(0L));
        assertTrue(Expectation.parse("rows", "== 3").test(3L));
        assertTrue(Expectation.parse("rows", ">= 3").test(3.0));
        assertTrue(Expectation.parse("v", "<= 2.5").test("2.5"));
        assertTrue(Expectation.parse("v", "!= 'x'").test("y"));
        assertTrue(Expectation.parse("v", "== ready").test("ready"));
        assertThrows(BadParameterException.class, () -> Expectation.parse("v", "about 3"));
        assertThrows(BadParameterException.class, () -> Expectation.parse("v", "> 1").test("abc"));
    }

    @Test
    void endsCaptureKeepsHeadAndTailOfALargeStream() throws Exception {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        EndsCapture capture = new EndsCapture(sink);
        capture.write("PGDMP-header".getBytes(StandardCharsets.US_ASCII));
        byte[] filler = new byte[100_000];
        java.util.Arrays.fill(filler, (byte) 'x');
        capture.write(filler);
        byte[] trailer = "\n--\n-- PostgreSQL database dump complete\n--\n\n\\unrestrict abc\n".getBytes(StandardCharsets.US_ASCII);
        capture.write(trailer);
        assertEquals(12 + filler.length + trailer.length, sink.size(), "everything passes through");
        assertEquals(sink.size(), capture.total());
        assertTrue(new String(capture.head(), StandardCharsets.US_ASCII).startsWith("PGDMP"));
        assertTrue(capture.tailText().contains(DumpAction.PLAIN_TRAILER));
        assertTrue(capture.tailText().length() <= 2048);
    }

    @Test
    void headerVersionsAndMajorComparison() {
        assertEquals("15.18", DumpHeader.pgDumpVersion("--\n-- Dumped from database version 15.18\n"
                + "-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)\n").orElseThrow());
        assertEquals("16.4", DumpHeader.pgDumpVersion(";     Dumped by pg_dump version: 16.4\n").orElseThrow());
        assertEquals(15, PgTools.major("15.18"));
        assertEquals(9, PgTools.major("9.6.24"));
        StepFailure f = assertThrows(StepFailure.class, () -> RestoreAction.checkVersion("17.2", "15.18", "/usr/bin/psql",
                new ObjectLocation(dev.runbook.storage.StorageUri.parse("s3://b/"), "postgres/x.sql")));
        assertTrue(f.getMessage().contains("pg_dump 17.2, newer than /usr/bin/psql 15.18"), f.getMessage());
    }

    @Test
    void objectLocationsSplitFileUrisIntoDirectoryAndName() throws Exception {
        ObjectLocation file = ObjectLocation.parse("file:///var/backups/postgres/postgres_20261125T020000Z.sql");
        assertEquals("/var/backups/postgres", file.store().root());
        assertEquals("postgres_20261125T020000Z.sql", file.key());
        assertEquals("file:///var/backups/postgres/postgres_20261125T020000Z.sql", file.uri());

        ObjectLocation s3 = ObjectLocation.parse("s3://bucket/postgres/postgres_20261125T020000Z.sql.gz");
        assertEquals("bucket", s3.store().root());
        assertEquals("postgres/postgres_20261125T020000Z.sql.gz", s3.key());
        assertThrows(StepFailure.class, () -> ObjectLocation.parse("s3://bucket/postgres/"));
    }

    @Test
    void stagingNamesFitPostgresIdentifierLimit() {
        assertEquals("app_runbook_restore", RestoreTarget.stagingName("app"));
        assertEquals(63, RestoreTarget.stagingName("x".repeat(63)).length());
    }

    @Test
    void conninfoQuotesTheDatabaseName() {
        assertEquals("dbname='app'", RestoreAction.conninfoDbname("app"));
        assertEquals("dbname='we\\'ird=name'", RestoreAction.conninfoDbname("we'ird=name"));
    }
}
