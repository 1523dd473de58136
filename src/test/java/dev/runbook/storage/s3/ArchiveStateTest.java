package dev.runbook.storage.s3;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArchiveStateTest {

    @Test
    void archivedWithoutRestoreIsNotReadable() {
        ArchiveState s = ArchiveState.of("GLACIER", null);
        assertTrue(s.archived());
        assertFalse(s.restoreInProgress());
        assertFalse(s.readable());
    }

    @Test
    void restoreInProgressIsNotReadableYet() {
        ArchiveState s = ArchiveState.of("DEEP_ARCHIVE", "ongoing-request=\"true\"");
        assertTrue(s.restoreInProgress());
        assertFalse(s.readable());
    }

    @Test
    void finishedRestoreIsReadableUntilItsExpiry() {
        ArchiveState s = ArchiveState.of("GLACIER", "ongoing-request=\"false\", expiry-date=\"Fri, 21 Dec 2012 00:00:00 GMT\"");
        assertTrue(s.readable());
        assertEquals(Instant.parse("2012-12-21T00:00:00Z"), s.restoredUntil());
    }

    @Test
    void otherClassesAreReadable() {
        assertTrue(ArchiveState.of("STANDARD", null).readable());
        assertTrue(ArchiveState.of("GLACIER_IR", null).readable());
    }
}
