package dev.runbook.executors.metrics;

import dev.runbook.spi.Params;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** metrics.push into a textfile directory (a real directory; the Pushgateway side is MetricsE2EIT). */
class PushActionTest {

    @TempDir
    Path dir;

    private String run(Map<String, Object> extra) throws Exception {
        Map<String, Object> p = new HashMap<>(Map.of("job", "backup", "database", "shop", "textfile-dir", dir.toString()));
        p.putAll(extra);
        new PushAction().execute(Params.of(p), new RecordingStepContext());
        return Files.readString(dir.resolve("runbook_backup_shop.prom"));
    }

    private static String line(String text, String metric) {
        return text.lines().filter(l -> l.startsWith(metric + "{")).findFirst().orElseThrow(() -> new AssertionError(metric + " in\n" + text));
    }

    @Test
    void aFailedRunKeepsTheLastSuccessAndFiguresOfTheGoodOne() throws Exception {
        String good = run(Map.of("success", true, "started", "2026-11-25T02:00:00Z",
                "values", Map.of("bytes", 1234L, "rows", "1800")));
        assertEquals("runbook_backup_bytes{database=\"shop\"} 1234", line(good, "runbook_backup_bytes"));
        assertEquals("runbook_backup_rows{database=\"shop\"} 1800", line(good, "runbook_backup_rows"));
        assertEquals("runbook_backup_last_run_success{database=\"shop\"} 1", line(good, "runbook_backup_last_run_success"));
        assertTrue(good.contains("# TYPE runbook_backup_duration_seconds gauge"), good);
        String success = line(good, "runbook_backup_last_success_timestamp_seconds");

        String failed = run(Map.of("success", false));
        assertEquals(success, line(failed, "runbook_backup_last_success_timestamp_seconds"), "kept from the good run");
        assertEquals("runbook_backup_bytes{database=\"shop\"} 1234", line(failed, "runbook_backup_bytes"));
        assertEquals("runbook_backup_last_run_success{database=\"shop\"} 0", line(failed, "runbook_backup_last_run_success"));
        assertEquals(1, failed.lines().filter(l -> l.startsWith("runbook_backup_last_run_success{")).count(), failed);
        try (var files = Files.list(dir)) {
            assertEquals(List.of("runbook_backup_shop.prom"), files.map(f -> f.getFileName().toString()).toList(),
                    "no temporary file left");
        }
    }

    @Test
    void badFiguresAreRefusedBeforeAnythingIsWritten() {
        StepFailure name = assertThrows(StepFailure.class, () -> run(Map.of("success", true, "values", Map.of("Bytes-Out", 1))));
        assertTrue(name.getMessage().contains("Bytes-Out"), name.getMessage());
        StepFailure number = assertThrows(StepFailure.class, () -> run(Map.of("success", true, "values", Map.of("rows", "many"))));
        assertTrue(number.getMessage().contains("not a number"), number.getMessage());
        assertFalse(Files.exists(dir.resolve("runbook_backup_shop.prom")));
    }

    @Test
    void theGroupUrlEscapesTheDatabaseName() {
        assertEquals("http://gw:9091/metrics/job/backup/instance/my%20db",
                Pushgateway.groupUri("http://gw:9091/", "backup", "my db").toString());
    }
}
