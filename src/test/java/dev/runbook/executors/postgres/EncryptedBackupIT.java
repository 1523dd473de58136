package dev.runbook.executors.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encrypted backups with Debian's {@code age} CLI in the pipeline, against a real PostgreSQL 15
 * cluster and file:// storage: the stored bytes are an age file for the recipients, the
 * manifest records them and the hash of the encrypted bytes, the restore decrypts in the stream,
 * and a key that does not fit fails before the target database is even created.
 */
class EncryptedBackupIT {

    private static PostgresCluster pg;

    @TempDir
    Path dir;

    @BeforeAll
    static void cluster() {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/age")), "needs Debian's age: apt-get install -y age");
        pg = PostgresCluster.sharedWithPasswords();
    }

    private static RecordingStepContext ctx() {
        return PgTestCluster.ctx(pg);
    }

    private static String newDb(String prefix) {
        return PgTestCluster.newDb(prefix);
    }

    private static String source() {
        String db = newDb("enc_src");
        pg.createDatabase(db);
        pg.execute(db, "CREATE TABLE items (id int PRIMARY KEY, label text);"
                + " INSERT INTO items SELECT g, 'secret payload ' || g FROM generate_series(1, 5000) g;");
        return db;
    }

    private static String content(String db) {
        return pg.queryString(db, "SELECT count(*) || ':' || md5(string_agg(id || label, ',' ORDER BY id)) FROM items");
    }

    private static boolean exists(String db) {
        return pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = " + PostgresCluster.literal(db)) == 1;
    }

    /** A fresh key pair made by age-keygen: the private key file and its public key. */
    private record KeyPair(Path file, String secret, String recipient) {
    }

    private KeyPair keyPair(String name) throws Exception {
        Path file = dir.resolve(name + ".txt");
        Exec.run(List.of("age-keygen", "-o", file.toString())).orThrow();
        String recipient = Exec.run(List.of("age-keygen", "-y", file.toString())).orThrow().stdout().trim();
        String secret = Files.readAllLines(file).stream().filter(l -> l.startsWith("AGE-SECRET-KEY-")).findFirst().orElseThrow();
        return new KeyPair(file, secret, recipient);
    }

    private Outputs dump(String db, Map<String, Object> extra) throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("to", dir.resolve("backups").toUri().toString(), "database", db));
        p.putAll(extra);
        return new DumpAction().execute(Params.of(p), ctx());
    }

    private static Outputs restore(Object uri, String target, Map<String, Object> extra, RecordingStepContext ctx) throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("from", uri, "database", target, "create-database", true));
        p.putAll(extra);
        return new RestoreAction().execute(Params.of(p), ctx);
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void anEncryptedCompressedDumpRestoresWithTheKeyGivenAsASecretAndLeavesNoKeyFileBehind() throws Exception {
        KeyPair key = keyPair("key");
        String src = source();
        Outputs out = dump(src, Map.of("compression", "zstd", "encrypt-to", List.of(key.recipient())));

        String stored = out.asMap().get("key").toString();
        assertTrue(stored.endsWith(".sql.zst.age"), stored);
        Path file = dir.resolve("backups").resolve(stored);
        byte[] bytes = Files.readAllBytes(file);
        assertArrayEquals("age-encryption.org/v1\n".getBytes(StandardCharsets.US_ASCII),
                java.util.Arrays.copyOf(bytes, 22), "an age file");
        assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains("secret payload"), "no plaintext stored");

        JsonNode manifest = new ObjectMapper().readTree(dir.resolve("backups").resolve(stored + ".manifest.json").toFile());
        assertEquals("age", manifest.get("encryption").asText());
        assertEquals(key.recipient(), manifest.get("recipients").get(0).asText());
        assertEquals(sha256(file), manifest.get("sha256").asText(), "the hash is of the encrypted bytes as stored");
        assertEquals(5000, manifest.get("tables").get("public.items").asLong());

        String target = newDb("enc_dst");
        RecordingStepContext ctx = ctx();
        Outputs restored = restore(out.asMap().get("uri"), target, Map.of("identity", new Secret(key.secret())), ctx);
        assertEquals(content(src), content(target));
        assertEquals(sha256(file), restored.asMap().get("sha256"));
        assertTrue(ctx.secrets.contains(key.secret()), "the key is registered as a secret, so the engine masks it");
        assertFalse(ctx.transcript().contains(key.secret()), ctx.transcript());
        try (Stream<Path> left = Files.list(ctx.scratchDir())) {
            assertEquals(List.of(), left.toList(), "the 0600 identity file is deleted after the step");
        }
    }

    @Test
    void aKeyThatDoesNotFitFailsBeforeTheTargetDatabaseIsCreated() throws Exception {
        KeyPair key = keyPair("right");
        KeyPair other = keyPair("wrong");
        String src = source();
        Outputs out = dump(src, Map.of("encrypt-to", List.of(key.recipient())));

        String target = newDb("enc_wrong");
        StepFailure f = assertThrows(StepFailure.class,
                () -> restore(out.asMap().get("uri"), target, Map.of("identity-file", other.file().toString()), ctx()));
        assertTrue(f.getMessage().contains("age could not decrypt"), f.getMessage());
        assertTrue(f.getMessage().contains("no identity matched"), "age's own reason: " + f.getMessage());
        assertFalse(exists(target), "nothing was created: the failure came before the database was touched");

        StepFailure none = assertThrows(StepFailure.class, () -> restore(out.asMap().get("uri"), target, Map.of(), ctx()));
        assertTrue(none.getMessage().contains("is encrypted with age"), none.getMessage());
        assertFalse(exists(target));
    }

    @Test
    void anExistingDatabaseIsLeftAsItWasWhenTheKeyDoesNotFitEvenWithClean() throws Exception {
        KeyPair key = keyPair("k1");
        KeyPair other = keyPair("k2");
        String src = source();
        Outputs out = dump(src, Map.of("encrypt-to", List.of(key.recipient())));
        String target = newDb("enc_keep");
        pg.createDatabase(target);
        pg.execute(target, "CREATE TABLE keep_me (x int); INSERT INTO keep_me VALUES (42);");

        assertThrows(StepFailure.class, () -> restore(out.asMap().get("uri"), target,
                Map.of("clean", true, "identity", new Secret(other.secret())), ctx()));
        assertEquals(42, pg.queryLong(target, "SELECT x FROM keep_me"));
        assertFalse(exists(RestoreTarget.stagingName(target)), "no staging copy was made");
    }

    @Test
    void aTruncatedEncryptedObjectIsNeverCommitted() throws Exception {
        KeyPair key = keyPair("trunc");
        String src = source();
        // without its manifest, age's authentication of the stream's end is what catches it
        Outputs out = dump(src, Map.of("encrypt-to", List.of(key.recipient())));
        Path file = dir.resolve("backups").resolve(out.asMap().get("key").toString());
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));
        Files.delete(Path.of(file + ".manifest.json"));

        String target = newDb("enc_trunc");
        pg.createDatabase(target);
        StepFailure f = assertThrows(StepFailure.class, () -> restore(out.asMap().get("uri"), target,
                Map.of("identity-file", key.file().toString()), ctx()));
        assertTrue(f.getMessage().contains("age could not decrypt") || f.getMessage().contains("checksum mismatch"),
                f.getMessage());
        assertEquals(0, pg.queryLong(target, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"),
                "rolled back: nothing committed");
    }

    @Test
    void customFormatEncryptedWithTwoRecipientsRestoresWithEitherKey() throws Exception {
        KeyPair a = keyPair("a");
        KeyPair b = keyPair("b");
        String src = source();
        Outputs out = dump(src, Map.of("format", "custom", "encrypt-to", a.recipient() + "," + b.recipient()));
        assertTrue(out.asMap().get("key").toString().endsWith(".dump.age"));

        String t1 = newDb("enc_c1");
        restore(out.asMap().get("uri"), t1, Map.of("identity-file", b.file().toString(), "jobs", 2), ctx());
        assertEquals(content(src), content(t1));
        String t2 = newDb("enc_c2");
        restore(out.asMap().get("uri"), t2, Map.of("identity", new Secret(a.secret())), ctx());
        assertEquals(content(src), content(t2));
    }

    @Test
    void aPrivateKeyGivenAsRecipientIsRefusedBeforeAnythingIsStored() throws Exception {
        KeyPair key = keyPair("oops");
        String src = source();
        StepFailure f = assertThrows(StepFailure.class, () -> dump(src, Map.of("encrypt-to", List.of(key.secret()))));
        assertTrue(f.getMessage().contains("private key"), f.getMessage());
        assertFalse(f.getMessage().contains(key.secret()), "the error does not repeat the key");
        assertFalse(Files.exists(dir.resolve("backups")) && Files.list(dir.resolve("backups")).findAny().isPresent());
    }
}
