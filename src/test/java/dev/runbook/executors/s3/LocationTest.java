package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocationTest {

    @Test
    void s3UriSplitsIntoBucketAndKey() {
        Location l = Location.parse("to", "s3://backups/postgres/postgres_20261125T020000Z.sql");
        assertEquals("s3", l.store().scheme());
        assertEquals("backups", l.store().root());
        assertEquals("postgres/postgres_20261125T020000Z.sql", l.key());
        assertEquals("s3://backups/postgres/postgres_20261125T020000Z.sql", l.uri());
        assertEquals("postgres_20261125T020000Z.sql", l.fileName());
    }

    @Test
    void fileUriSplitsAtTheLastSlash() {
        Location prefix = Location.parse("prefix", "file:///var/backups/postgres/postgres_");
        assertEquals("/var/backups/postgres", prefix.store().root());
        assertEquals("postgres_", prefix.key());
        Location dir = Location.parse("prefix", "file:///var/backups/postgres/");
        assertEquals("/var/backups/postgres", dir.store().root());
        assertEquals("", dir.key());
        assertEquals("file:///var/backups/postgres/postgres_1.sql", dir.uriOf("postgres_1.sql"));
    }

    @Test
    void badLocationsNameTheParameter() {
        BadParameterException e = assertThrows(BadParameterException.class, () -> Location.parse("from", "ftp://x/y"));
        assertTrue(e.getMessage().startsWith("parameter 'from'"), e.getMessage());
        assertThrows(BadParameterException.class, () -> Location.parse("from", "s3:///key"));
    }
}
