package dev.runbook.storage;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackupKeysTest {

    @Test
    void theNameIsEverythingBeforeTheLastTimestampSoSharedPrefixesNeverMix() {
        BackupKeys.Parsed orders = BackupKeys.parse("postgres/postgres_orders_20260102T020000Z.sql").orElseThrow();
        assertEquals("postgres_orders", orders.database());
        assertTrue(BackupKeys.parse("postgres/postgres_orders_20260102T020000Z.sql", "postgres").isEmpty());
        assertTrue(BackupKeys.parse("postgres/postgres_orders_20260102T020000Z.sql", "postgres_orders").isPresent());
        assertTrue(BackupKeys.parse("postgres/postgres_20260101T020000Z.sql", "postgres").isPresent());
        assertTrue(BackupKeys.parse("postgres/postgres_20260101T020000Z.sql", "postgres_orders").isEmpty());
    }

    @Test
    void knownExtensionsIncludingCompressedAndEncrypted() {
        record Case(String suffix, String format, String compression, String encryption) {
        }
        for (Case c : List.of(new Case(".sql", "plain", "none", "none"), new Case(".dump", "custom", "none", "none"),
                new Case(".sql.gz", "plain", "gzip", "none"), new Case(".sql.zst", "plain", "zstd", "none"),
                new Case(".dump.zst", "custom", "zstd", "none"), new Case(".sql.age", "plain", "none", "age"),
                new Case(".sql.zst.age", "plain", "zstd", "age"), new Case(".dump.gz.age", "custom", "gzip", "age"))) {
            BackupKeys.Parsed p = BackupKeys.parse("a/db_20261125T020000Z" + c.suffix()).orElseThrow(() -> new AssertionError(c));
            assertEquals(List.of("db", c.format(), c.compression(), c.encryption()),
                    List.of(p.database(), p.format(), p.compression(), p.encryption()), c.toString());
            assertEquals(Instant.parse("2026-11-25T02:00:00Z"), p.timestamp());
        }
    }

    @Test
    void keysThatDoNotParseAreRejected() {
        for (String key : List.of("db_20261125T020000Z.sql.manifest.json", "db_20261125T020000Z.sql.drill.json",
                "db_20261125T020000Z.globals.sql", "db_20261325T020000Z.sql" /* month 13 */,
                "db_20260230T020000Z.sql" /* 30 Feb */, "db_20261125T250000Z.sql", "db_latest.sql",
                "db_20261125T020000Z.sql.age.gz", "db_20261125T020000Z.txt", "_20261125T020000Z.sql",
                "db_20261125T020000Z.sql.bak", "db-20261125T020000Z.sql")) {
            assertTrue(BackupKeys.parse(key).isEmpty(), key);
        }
    }

    @Test
    void companionsBelongToTheirBackup() {
        assertEquals("p/db_20261125T020000Z.sql.zst.age",
                BackupKeys.companionOf("p/db_20261125T020000Z.sql.zst.age.manifest.json").orElseThrow());
        assertEquals("p/db_20261125T020000Z.sql", BackupKeys.companionOf("p/db_20261125T020000Z.sql.drill.json").orElseThrow());
        assertTrue(BackupKeys.companionOf("p/notes.txt.manifest.json").isEmpty());
        assertTrue(BackupKeys.isGlobals("p/db_20261125T020000Z.globals.sql"));
        assertEquals("p/db_x_20261125T020000Z.globals.sql",
                BackupKeys.globalsKey(BackupKeys.parse("p/db_x_20261125T020000Z.dump.zst").orElseThrow()));
    }

    @Test
    void aScanCountsWhatItIgnores() {
        BackupKeys.Scan scan = BackupKeys.Scan.of(List.of("p/postgres_20260101T020000Z.sql",
                "p/postgres_20260101T020000Z.sql.manifest.json", "p/postgres_orders_20260102T020000Z.sql",
                "p/postgres_orders_20260102T020000Z.sql.manifest.json", "p/postgres_latest.sql"), "postgres");
        assertEquals(List.of("p/postgres_20260101T020000Z.sql"), scan.backups().stream().map(BackupKeys.Parsed::key).toList());
        assertEquals(1, scan.otherNames());
        assertEquals(2, scan.companions());
        assertEquals(List.of("p/postgres_latest.sql"), scan.unparsed());
        assertEquals("ignored 1 backup of other names and 1 key not named <name>_<YYYYMMDDTHHMMSSZ>.sql|.dump[.gz|.zst][.age]"
                + " (e.g. p/postgres_latest.sql)", scan.ignoredNote());
    }
}
