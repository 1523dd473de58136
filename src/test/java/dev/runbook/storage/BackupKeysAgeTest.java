package dev.runbook.storage;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Encrypted backups keep their place in the key grammar: the .age suffix comes last. */
class BackupKeysAgeTest {

    private static final Instant WHEN = Instant.parse("2026-11-25T02:00:00Z");

    @Test
    void encryptedKeysEndInAgeAndParseBackToTheirFormatAndCompression() {
        String key = BackupKeys.key("postgres/", "orders", WHEN, "plain", "zstd", true);
        assertEquals("postgres/orders_20261125T020000Z.sql.zst.age", key);
        BackupKeys.Parsed parsed = BackupKeys.parse(key).orElseThrow();
        assertEquals("orders", parsed.database());
        assertEquals("plain", parsed.format());
        assertEquals("zstd", parsed.compression());
        assertEquals(WHEN, parsed.timestamp());

        assertEquals("custom", BackupKeys.parse("p/postgres_20261125T020000Z.dump.age").orElseThrow().format());
        assertEquals("postgres/orders_20261125T020000Z.sql", BackupKeys.key("postgres/", "orders", WHEN, "plain", "none"));
        assertTrue(BackupKeys.parse("p/postgres_20261125T020000Z.sql.age.manifest.json").isEmpty(), "manifests are not backups");
    }
}
