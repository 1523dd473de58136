package dev.runbook.e2e;

import dev.runbook.testsupport.HostTools;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promise in the README: what {@code runbooks/backup.yaml} stores is restorable BY HAND
 * with today's commands (Debian's {@code /usr/bin/aws s3 cp} + {@code psql -f}), and a dump
 * made by hand the old way ({@code pg_dump > file} + {@code aws s3 cp}) restores with
 * {@code runbooks/restore.yaml}. Real subprocesses from argument arrays, real S3Proxy, real
 * PostgreSQL 15.
 */
class InteropE2EIT {

    private static PostgresCluster pg;
    private static S3ProxyServer s3;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(Path.of(HostTools.AWS_CLI)), "needs Debian's AWS CLI: apt-get install -y awscli");
        pg = PostgresCluster.shared();
        s3 = S3ProxyServer.start();
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private RunbookCli cli(String bucket) {
        s3.createBucket(bucket);
        return new RunbookCli(work).env(s3.env())
                .env("AWS_ENDPOINT_URL", s3.endpoint().toString())
                .env("BACKUP_BUCKET", bucket)
                .env("PGHOST", pg.host()).env("PGPORT", Integer.toString(pg.port()))
                .env("PGUSER", pg.superuser()).env("PGPASSWORD", RunbookCli.E2E_PASSWORD);
    }

    /**
     * Runs a tool as the on-call engineer would, from an argument array: credentials only in
     * its environment (AWS_* for the CLI, PG* for libpq), stdout optionally into a file.
     */
    private static String tool(List<String> command, Map<String, String> env, Path stdoutTo) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("PG"));
        pb.environment().putAll(env);
        Path err = Files.createTempFile("tool", ".err");
        pb.redirectError(err.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Path out = stdoutTo != null ? stdoutTo : Files.createTempFile("tool", ".out");
        pb.redirectOutput(out.toFile());
        Process p = pb.start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), () -> "timed out: " + command);
        String stderr = Files.readString(err);
        assertEquals(0, p.exitValue(), () -> String.join(" ", command) + " failed:\n" + stderr);
        return stdoutTo != null ? stderr : Files.readString(out) + stderr;
    }

    private static Map<String, String> awsEnv() {
        Map<String, String> env = new HashMap<>(s3.env());
        env.put("AWS_DEFAULT_REGION", S3ProxyServer.REGION);
        env.put("AWS_CONFIG_FILE", "/dev/null");
        env.put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        return env;
    }

    private static List<String> aws(String... args) {
        List<String> cmd = new ArrayList<>(List.of(HostTools.AWS_CLI, "--endpoint-url", s3.endpoint().toString()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void aBackupMadeByTheRunbookRestoresByHandWithAwsCliAndPsql() throws Exception {
        ShopData.create(pg, "interop_src", 400);
        RunbookCli cli = cli("interop-runbook");
        RunbookCli.Result backup = cli.runbookRun("backup", "database", "interop_src");
        assertEquals(0, backup.exitCode(), backup::toString);
        String uri = backup.requireOutput("uri");

        // the wiki page, step by step
        Path local = work.resolve("restore.sql");
        tool(aws("s3", "cp", "--only-show-errors", uri, local.toString()), awsEnv(), null);
        pg.createDatabase("interop_by_hand");
        tool(List.of(HostTools.pgTool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "interop_by_hand",
                "-f", local.toString()), pg.clientEnv("interop_by_hand"), null);

        assertEquals(ShopData.fingerprint(pg, "interop_src"), ShopData.fingerprint(pg, "interop_by_hand"));
        assertEquals(RunbooksE2EIT.sha256(Files.readAllBytes(local)), backup.requireOutput("sha256"),
                "the CLI got exactly the bytes the runbook stored");
    }

    @Test
    void aDumpMadeByHandTheOldWayRestoresWithTheRunbook() throws Exception {
        ShopData.create(pg, "interop_old", 250);
        RunbookCli cli = cli("interop-manual");

        // today's nightly script: pg_dump > file; aws s3 cp file s3://bucket/postgres/postgres_<ts>.sql
        Path dump = work.resolve("postgres_20261124T020000Z.sql");
        tool(List.of(HostTools.pgTool("pg_dump"), "interop_old"), pg.clientEnv("interop_old"), dump);
        tool(aws("s3", "cp", "--only-show-errors", dump.toString(),
                "s3://interop-manual/postgres/postgres_20261124T020000Z.sql"), awsEnv(), null);

        RunbookCli.Result restore = cli.runbookRun("restore", "database", "interop_old_restored");
        assertEquals(0, restore.exitCode(), restore::toString);
        assertEquals("s3://interop-manual/postgres/postgres_20261124T020000Z.sql", restore.requireOutput("backup"));
        assertTrue(restore.all().contains("integrity cannot be checked"),
                "no manifest beside a hand-made dump: the run says so\n" + restore);
        assertEquals(ShopData.fingerprint(pg, "interop_old"), ShopData.fingerprint(pg, "interop_old_restored"));

        // and by timestamp, the way an engineer names a specific night's backup
        RunbookCli.Result named = cli.runbookRun("restore", "database", "interop_old_named", "timestamp", "20261124T020000Z");
        assertEquals(0, named.exitCode(), named::toString);
        assertEquals(ShopData.fingerprint(pg, "interop_old"), ShopData.fingerprint(pg, "interop_old_named"));
    }

    /**
     * Runs commands as one shell pipeline would ({@code a | b | c}), each from an argument array
     * with the same environment; fails naming the first command that failed.
     */
    private static void pipeline(List<List<String>> commands, Map<String, String> env) throws IOException, InterruptedException {
        List<ProcessBuilder> builders = new ArrayList<>();
        List<Path> errs = new ArrayList<>();
        for (List<String> command : commands) {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("PG"));
            pb.environment().putAll(env);
            Path err = Files.createTempFile("pipe", ".err");
            pb.redirectError(err.toFile());
            builders.add(pb);
            errs.add(err);
        }
        builders.get(0).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builders.get(builders.size() - 1).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        List<Process> processes = ProcessBuilder.startPipeline(builders);
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            assertTrue(p.waitFor(180, TimeUnit.SECONDS), "timed out: " + commands.get(i));
            int n = i;
            assertEquals(0, p.exitValue(), () -> String.join(" ", commands.get(n)) + " failed:\n" + read(errs.get(n)));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /** An age key pair made by Debian's age-keygen: the key file, its secret line, its public key. */
    private record AgeKey(Path file, String secret, String recipient) {
        static AgeKey generate(Path dir, String name) throws IOException, InterruptedException {
            Path file = dir.resolve(name);
            tool(List.of("age-keygen", "-o", file.toString()), Map.of(), null);
            String recipient = tool(List.of("age-keygen", "-y", file.toString()), Map.of(), null).trim();
            String secret = Files.readAllLines(file).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-")).findFirst().orElseThrow();
            return new AgeKey(file, secret, recipient);
        }
    }

    /** Every file under dir whose text contains the value. */
    private static List<Path> filesContaining(Path dir, String value, Path except) throws IOException {
        try (var files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> !f.equals(except))
                    .filter(f -> read(f).contains(value)).toList();
        }
    }

    @Test
    void anEncryptedBackupRestoresByHandWithAwsAgeAndPsqlAndWithTheRunbookAndTheKeyIsNowhere() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/age")), "needs Debian's age: apt-get install -y age");
        Path keys = Files.createDirectories(work.resolve("keys"));
        AgeKey key = AgeKey.generate(keys, "key.txt");
        AgeKey other = AgeKey.generate(keys, "other.txt");
        ShopData.create(pg, "crypt_src", 300);
        RunbookCli cli = cli("interop-age").env("RUNBOOK_STATE_DIR", work.resolve("state").toString())
                .env("BACKUP_AGE_RECIPIENTS", key.recipient());

        RunbookCli.Result backup = cli.runbookRun("backup", "database", "crypt_src", "compression", "zstd");
        assertEquals(0, backup.exitCode(), backup::toString);
        String uri = backup.requireOutput("uri");
        assertTrue(uri.endsWith(".sql.zst.age"), uri);

        // by hand, as the README says: aws s3 cp s3://.../postgres_<ts>.sql.zst.age - | age -d -i key.txt | zstd -d | psql
        pg.createDatabase("crypt_by_hand");
        Map<String, String> env = new HashMap<>(awsEnv());
        env.putAll(pg.clientEnv("crypt_by_hand"));
        pipeline(List.of(aws("s3", "cp", "--only-show-errors", uri, "-"),
                List.of("age", "-d", "-i", key.file().toString()),
                List.of("zstd", "-d", "-c"),
                List.of(HostTools.pgTool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null",
                        "-d", "crypt_by_hand")), env);
        assertEquals(ShopData.fingerprint(pg, "crypt_src"), ShopData.fingerprint(pg, "crypt_by_hand"));

        // the runbook, with the key as a secret in the environment
        RunbookCli withKey = cli.env("RUNBOOK_AGE_IDENTITY", key.secret());
        RunbookCli.Result plan = withKey.run("plan", RunbookCli.runbook("restore"), "--input", "database=crypt_restored");
        RunbookCli.Result restore = withKey.runbookRun("restore", "database", "crypt_restored");
        assertEquals(0, restore.exitCode(), restore::toString);
        assertEquals(uri, restore.requireOutput("backup"));
        assertEquals(ShopData.fingerprint(pg, "crypt_src"), ShopData.fingerprint(pg, "crypt_restored"));
        String journal = withKey.show(restore.runId());

        // a key that does not fit: refused before the database exists
        RunbookCli.Result wrong = cli.env("RUNBOOK_AGE_IDENTITY", other.secret())
                .runbookRun("restore", "database", "crypt_wrong_key");
        assertTrue(wrong.exitCode() != 0, wrong::toString);
        assertTrue(wrong.all().contains("no identity matched"), wrong::toString);
        assertTrue(!ShopData.exists(pg, "crypt_wrong_key"), "nothing was created");

        try (var journals = Files.walk(work.resolve("state"))) {
            assertTrue(journals.filter(Files::isRegularFile).count() > 2, "the runs' journals are where the scan looks");
        }
        for (AgeKey k : List.of(key, other)) {
            String secretPart = k.secret().substring("AGE-SECRET-KEY-".length());
            for (String text : List.of(plan.all(), restore.all(), journal, wrong.all(), backup.all())) {
                assertTrue(!text.contains(secretPart), "the private key leaked into:\n" + text);
            }
            assertEquals(List.of(), filesContaining(work.resolve("state"), secretPart, null),
                    "no journal, plan or log file holds the private key");
        }
    }
}
