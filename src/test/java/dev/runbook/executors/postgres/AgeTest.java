package dev.runbook.executors.postgres;

import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What reaches age's argv, and what never does. */
class AgeTest {

    private static final String SECRET = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";

    @Test
    void anIdentityGivenAsTextReachesAgeOnlyAsA0600FileThatIsDeletedAfterwards() throws Exception {
        RecordingStepContext ctx = new RecordingStepContext();
        Age.Identity identity = Age.Identity.from(Params.of(Map.of("identity", new Secret(SECRET))), ctx, "s3://b/k.sql.age");
        List<String> argv = Age.decrypt(identity).argv();
        assertEquals(List.of("age", "--decrypt", "--identity", identity.file().toString()), argv);
        assertFalse(String.join(" ", argv).contains("AGE-SECRET-KEY"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(identity.file())));
        assertTrue(Files.readString(identity.file()).contains(SECRET));
        assertTrue(ctx.secrets.contains(SECRET), "registered for masking");
        identity.close();
        assertFalse(Files.exists(identity.file()));
    }

    @Test
    void recipientsAreSplitOnCommasAndAPrivateKeyIsRefused() throws Exception {
        assertEquals(List.of("age1aaa", "age1bbb"), Age.recipients(List.of("age1aaa, age1bbb", " ")));
        assertEquals(List.of("age", "--encrypt", "--recipient", "age1aaa"), Age.encrypt(List.of("age1aaa")).argv());
        StepFailure f = assertThrows(StepFailure.class, () -> Age.recipients(List.of(SECRET)));
        assertFalse(f.getMessage().contains(SECRET));
        assertThrows(StepFailure.class, () -> Age.recipients(List.of("not-a-key")));
    }
}
