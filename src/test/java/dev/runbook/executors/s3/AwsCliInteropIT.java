package dev.runbook.executors.s3;

import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import dev.runbook.testsupport.RecordingStepContext;
import dev.runbook.testsupport.S3ProxyServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The team's manual procedure must keep working on what runbook writes, and the other way
 * round: Debian's AWS CLI ({@code /usr/bin/aws}, installed with {@code apt-get install -y awscli};
 * not a pyenv shim) copies objects to and from S3Proxy next to S3Store. Both directions use
 * multipart uploads (S3Store with 5 MiB parts, the CLI above its 8 MiB threshold).
 */
class AwsCliInteropIT {

    private static final Path AWS = Path.of("/usr/bin/aws");
    private static final int MIB = 1024 * 1024;
    private static S3ProxyServer s3;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(AWS), "this test needs Debian's AWS CLI: apt-get install -y awscli");
        s3 = S3ProxyServer.start();
        s3.createBucket("interop");
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Runs the CLI from an argument array; credentials only in its environment. */
    private static void aws(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(AWS.toString(), "--endpoint-url", s3.endpoint().toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
        pb.environment().putAll(s3.env());
        pb.environment().put("AWS_DEFAULT_REGION", S3ProxyServer.REGION);
        pb.environment().put("AWS_CONFIG_FILE", "/dev/null");
        pb.environment().put("AWS_SHARED_CREDENTIALS_FILE", "/dev/null");
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "aws did not finish");
        assertEquals(0, p.exitValue(), "aws " + String.join(" ", args) + " failed:\n" + output);
    }

    private static ObjectStore store(Map<String, String> extra) {
        Map<String, String> options = new java.util.HashMap<>(s3.options());
        options.putAll(extra);
        return ObjectStores.open(StorageUri.parse("s3://interop/"), options, s3.env());
    }

    @Test
    void awsCliDownloadsWhatS3StoreUploaded() throws Exception {
        byte[] data = random(11 * MIB + 3, 7);
        try (ObjectStore store = store(Map.of("part-size", String.valueOf(5 * MIB)));
             ObjectStore.Upload upload = store.startUpload("postgres/postgres_20261125T020000Z.sql", Map.of("sha256", "x"), -1)) {
            upload.stream().write(data);
            upload.commit();
        }
        Path local = tmp.resolve("from-runbook.sql");
        aws("s3", "cp", "s3://interop/postgres/postgres_20261125T020000Z.sql", local.toString());
        assertArrayEquals(data, Files.readAllBytes(local));
    }

    @Test
    void s3StoreAndTheDownloadActionReadWhatTheAwsCliUploaded() throws Exception {
        byte[] data = random(9 * MIB + 11, 8);
        Path local = tmp.resolve("by-cli.sql");
        Files.write(local, data);
        aws("s3", "cp", local.toString(), "s3://interop/postgres/postgres_20261124T020000Z.sql");

        try (ObjectStore store = store(Map.of()); InputStream in = store.open("postgres/postgres_20261124T020000Z.sql")) {
            assertArrayEquals(data, in.readAllBytes());
        }
        RecordingStepContext ctx = new RecordingStepContext();
        s3.env().forEach(ctx::env);
        Path target = tmp.resolve("restore/by-cli.sql");
        S3ActionsSupport.run("download", s3, ctx, Map.of(
                "from", "s3://interop/postgres/postgres_20261124T020000Z.sql", "to", target.toString()));
        assertArrayEquals(data, Files.readAllBytes(target));
    }
}
