package dev.runbook.plan;

import dev.runbook.spi.ParamType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A resumed run re-binds its journaled inputs; durations come back as ISO-8601 text (PT26H). */
class DurationInputResumeTest {

    @Test
    void durationInputsAcceptTheRunbookAndTheJournaledForm() {
        assertEquals(Duration.ofHours(26), InputBinder.convert("26h", ParamType.DURATION));
        assertEquals(Duration.ofHours(26), InputBinder.convert("PT26H", ParamType.DURATION));
        assertEquals(Duration.ofMinutes(3), InputBinder.convert(Duration.ofMinutes(3), ParamType.DURATION));
        assertThrows(IllegalArgumentException.class, () -> InputBinder.convert("PTsoon", ParamType.DURATION));
    }
}
