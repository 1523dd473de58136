package dev.runbook.model;

import dev.runbook.spi.ParamType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A resumed run re-binds its journaled inputs; durations come back as ISO-8601 text (PT26H). */
class InputValuesTest {

    @Test
    void durationInputsAcceptTheRunbookAndTheJournaledForm() {
        assertEquals(Duration.ofHours(26), InputValues.convert("26h", ParamType.DURATION));
        assertEquals(Duration.ofHours(26), InputValues.convert("PT26H", ParamType.DURATION));
        assertEquals(Duration.ofMinutes(3), InputValues.convert(Duration.ofMinutes(3), ParamType.DURATION));
        assertThrows(IllegalArgumentException.class, () -> InputValues.convert("PTsoon", ParamType.DURATION));
    }
}
