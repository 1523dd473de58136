package dev.runbook.export;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CronJobApiTest {

    private static final Optional<CronJobApi.Server> K120 = Optional.of(new CronJobApi.Server("v1.20.2", false));
    private static final Optional<CronJobApi.Server> K124 = Optional.of(new CronJobApi.Server("v1.24.9", true));
    private static final Optional<CronJobApi.Server> K130 = Optional.of(new CronJobApi.Server("v1.30.1", true));

    @Test
    void theServerDecidesWhenItAnswers() {
        assertEquals(CronJobApi.V1BETA1, CronJobApi.decide(null, K120, null).apiVersion());
        assertTrue(CronJobApi.decide(null, K120, null).note().contains("v1.20.2"));
        assertEquals(CronJobApi.V1, CronJobApi.decide(null, K124, null).apiVersion());
    }

    @Test
    void withoutAClusterItIsBatchV1AndSaysHowToForceTheOldOne() {
        CronJobApi.Decision d = CronJobApi.decide(null, Optional.empty(), null);
        assertEquals(CronJobApi.V1, d.apiVersion());
        assertTrue(d.note().contains("--api-version batch/v1beta1"), d.note());
        assertEquals(CronJobApi.V1BETA1, CronJobApi.decide("batch/v1beta1", K130, null).apiVersion(), "forced wins");
    }

    @Test
    void aTimeZoneOnlyWhereSupported() {
        assertNull(CronJobApi.decide(null, K130, "Europe/Berlin").problem());
        assertNull(CronJobApi.decide(null, Optional.empty(), "Europe/Berlin").problem());
        assertTrue(CronJobApi.decide(null, K124, "Europe/Berlin").problem().contains("1.25+"));
        assertTrue(CronJobApi.decide(null, K120, "Europe/Berlin").problem().contains("batch/v1beta1 has no time zone"));
        assertTrue(CronJobApi.decide("batch/v2", Optional.empty(), null).problem().contains("--api-version 'batch/v2'"));
    }

    @Test
    void theV1beta1ExportIsTheSameCronJobUnderTheOldApiVersion() {
        CronJobRequest r = new CronJobRequest("nightly", "shop", "0 2 * * *", null, "runbook:dev", "creds",
                Map.of("backup.yaml", "name: backup\n"), Map.of(), CronJobApi.V1BETA1, List.of());
        String yaml = CronJobExport.yaml(r);
        assertTrue(yaml.contains("apiVersion: \"batch/v1beta1\"") || yaml.contains("apiVersion: batch/v1beta1"), yaml);
        assertFalse(yaml.contains("batch/v1\n"), yaml);
        assertTrue(yaml.contains("schedule: \"0 2 * * *\""), yaml);
        CronJobRequest withZone = new CronJobRequest("nightly", "shop", "0 2 * * *", "Europe/Berlin", "runbook:dev", "creds",
                Map.of("backup.yaml", "name: backup\n"), Map.of(), CronJobApi.V1BETA1, List.of());
        assertFalse(CronJobExport.problems(withZone).isEmpty());
    }
}
