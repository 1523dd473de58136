package dev.runbook.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CLI under a Turkish default locale, where {@code "failed".toUpperCase()} is
 * {@code "FAİLED"} (dotted capital I) and {@code "RUNNING".toLowerCase()} has a dotless ı:
 * every case conversion must use {@link Locale#ROOT}, or reading a run back crashes
 * ({@code No enum constant Outcome.FAİLED}).
 */
class TurkishLocaleCliTest {

    private static final Locale TURKISH = Locale.forLanguageTag("tr-TR");

    @TempDir
    Path dir;
    private Locale before;
    private Locale beforeFormat;

    @BeforeEach
    void turkish() {
        before = Locale.getDefault();
        beforeFormat = Locale.getDefault(Locale.Category.FORMAT);
        Locale.setDefault(TURKISH); // also sets the DISPLAY and FORMAT categories
        assertEquals("FAİLED", "failed".toUpperCase(), "the JVM does not apply Turkish case rules");
    }

    @AfterEach
    void restore() {
        Locale.setDefault(before);
        Locale.setDefault(Locale.Category.FORMAT, beforeFormat);
    }

    @Test
    void runsShowAndResumeWorkUnderTrTr() {
        CliRunner cli = new CliRunner(dir, Map.of());
        cli.copy("resume.yaml");

        CliRunner.Result failed = cli.run("run", "resume.yaml");
        assertEquals(ExitCodes.STEP_FAILED, failed.code(), failed.toString());
        Matcher hint = Pattern.compile("runbook resume (\\S+)").matcher(failed.out());
        assertTrue(hint.find(), "no resume hint: " + failed);
        String id = hint.group(1);

        CliRunner.Result runs = cli.run("runs");
        assertEquals(ExitCodes.OK, runs.code(), runs.toString());
        assertTrue(runs.out().contains(id) && runs.out().contains("failed"), runs.out());

        CliRunner.Result show = cli.run("show", id);
        assertEquals(ExitCodes.OK, show.code(), show.toString());
        assertTrue(show.out().contains("restore"), show.out());

        CliRunner.Result resumed = cli.run("resume", id);
        assertEquals(ExitCodes.OK, resumed.code(), resumed.toString());

        for (CliRunner.Result r : new CliRunner.Result[] {failed, runs, show, resumed}) {
            assertFalse(r.err().contains("No enum constant") || r.out().contains("İ") || r.out().contains("ı"),
                    "Turkish case rules leaked: " + r);
        }
    }

    @Test
    void planAndGraphNameSectionsTheSameUnderTrTr() {
        CliRunner cli = new CliRunner(dir, Map.of());
        cli.copy("sections.yaml");
        CliRunner.Result plan = cli.run("plan", "sections.yaml", "--format", "json");
        assertEquals(ExitCodes.OK, plan.code(), plan.toString());
        assertTrue(plan.out().contains("\"finally\"") && plan.out().contains("\"on-failure\""), plan.out());
        CliRunner.Result graph = cli.run("graph", "sections.yaml");
        assertEquals(ExitCodes.OK, graph.code(), graph.toString());
        assertTrue(graph.out().contains("finally") && graph.out().contains("on-failure"), graph.out());
        for (CliRunner.Result r : new CliRunner.Result[] {plan, graph}) {
            assertFalse(r.out().contains("ı") || r.out().contains("İ"), "Turkish case rules leaked: " + r);
        }
    }
}
