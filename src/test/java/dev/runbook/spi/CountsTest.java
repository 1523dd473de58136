package dev.runbook.spi;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CountsTest {

    @Test
    void oneIsSingularEverythingElsePlural() {
        assertEquals("1 backup", Counts.of(1, "backup"));
        assertEquals("0 backups", Counts.of(0, "backup"));
        assertEquals("2 log lines", Counts.of(2, "log line"));
    }
}
