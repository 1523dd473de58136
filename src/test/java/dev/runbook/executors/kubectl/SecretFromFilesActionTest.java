package dev.runbook.executors.kubectl;

import dev.runbook.spi.Outputs;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.api.model.Secret;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** secret-from-files against the Fabric8 mock server: the data matches the files, and no content reaches the transcript. */
class SecretFromFilesActionTest {

    private static final String PASSWORD = "s3cr3t-Pa55word!";
    private static final String USER = "app_owner";

    private MockCluster cluster;
    @TempDir
    Path runbookDir;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        Files.createDirectories(runbookDir.resolve("creds"));
        Files.writeString(runbookDir.resolve("creds/password"), PASSWORD + "\n");
        Files.writeString(runbookDir.resolve("creds/username"), USER);
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void createsTheSecretFromFilesThenReportsUnchangedThenChanged() throws Exception {
        SecretFromFilesAction action = new SecretFromFilesAction(new KubeClientFactory());
        RecordingStepContext ctx = ctx();
        Map<String, Object> files = Map.of("password", "creds/password", "username", "creds/username");

        Outputs out = action.execute(MockCluster.params("name", "db-creds", "files", files), ctx);

        assertEquals(List.of("password", "username"), out.asMap().get("keys"));
        assertEquals("created", out.asMap().get("result"));
        Secret live = cluster.client.secrets().withName("db-creds").get();
        assertEquals(PASSWORD + "\n", decode(live.getData().get("password")));
        assertEquals(USER, decode(live.getData().get("username")));
        assertEquals("Opaque", live.getType());
        assertTrue(ctx.secrets.contains(PASSWORD), "file contents are registered for masking");

        assertEquals("unchanged", action.execute(MockCluster.params("name", "db-creds", "files", files), ctx()).asMap().get("result"));

        Files.writeString(runbookDir.resolve("creds/password"), "rotated-" + PASSWORD);
        RecordingStepContext changed = ctx();
        assertEquals("changed", action.execute(MockCluster.params("name", "db-creds", "dir", "creds"), changed).asMap().get("result"));
        assertEquals("rotated-" + PASSWORD, decode(cluster.client.secrets().withName("db-creds").get().getData().get("password")));

        for (RecordingStepContext c : List.of(ctx, changed)) {
            String transcript = c.transcript();
            assertTrue(transcript.contains("secret/db-creds in namespace prod"), transcript);
            assertTrue(transcript.contains("keys: password, username"), transcript);
            assertFalse(transcript.contains(PASSWORD), transcript);
            assertFalse(transcript.contains(USER), transcript);
            assertFalse(transcript.contains(Base64.getEncoder().encodeToString((PASSWORD + "\n").getBytes(StandardCharsets.UTF_8))), transcript);
        }
    }

    private RecordingStepContext ctx() {
        return cluster.context().runbookDir(runbookDir);
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }
}
