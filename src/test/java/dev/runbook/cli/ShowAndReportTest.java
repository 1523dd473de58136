package dev.runbook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The record of a real run (parallel branches, a retried step, an approval, a secret):
 * {@code show --json} is one JSON document, text {@code show} keeps the step of each log line,
 * {@code report} writes a self-contained HTML page with no secret in it.
 */
class ShowAndReportTest {

    static final String TOKEN = "tok-PLANTED-9931";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    CliRunner cli;
    String runId;

    @BeforeEach
    void run() throws IOException {
        cli = new CliRunner(dir, Map.of("REPORT_TOKEN", TOKEN));
        cli.copy("report.yaml");
        CliRunner.Result r = cli.run("run", "report.yaml", "--approve", "wipe");
        assertEquals(0, r.code(), r.toString());
        try (Stream<Path> runs = Files.list(dir.resolve(".runbook/runs"))) {
            runId = runs.findFirst().orElseThrow().getFileName().toString();
        }
    }

    @Test
    void showJsonIsOneDocumentWithStepsAttemptsLogsApprovalsAndMaskedSecrets() throws IOException {
        CliRunner.Result r = cli.run("show", runId, "--json");
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.out().contains(TOKEN), r.out());
        JsonNode doc = JSON.readTree(r.out());
        assertEquals(1, doc.get("format").asInt());
        assertEquals(runId, doc.get("run").get("id").asText());
        assertEquals("succeeded", doc.get("run").get("status").asText());
        assertNotNull(doc.get("run").get("deadline").textValue(), "the deadline of a runbook with one is recorded");
        assertEquals("right says <b>hi</b>", doc.get("run").get("outputs").get("said").asText());
        JsonNode left = step(doc, "left");
        assertEquals(2, left.get("attempts").size(), "the first attempt failed, the second succeeded");
        assertEquals("failed", left.get("attempts").get(0).get("outcome").asText());
        assertEquals("succeeded", left.get("attempts").get(1).get("outcome").asText());
        JsonNode start = step(doc, "start");
        assertEquals("Say go (with the token)", start.get("name").asText(), "the step's name: label");
        assertTrue(step(doc, "left").get("name").isNull(), "a step without a label");
        assertTrue(start.get("logs").toString().contains("***"), "the logged secret is masked: " + start.get("logs"));
        assertTrue(step(doc, "right-log").get("logs").toString().contains("right says"), doc.toPrettyString());
        assertFalse(start.get("logs").toString().contains("right says"), "logs are attributed to their own step");
        JsonNode approval = doc.get("approvals").get(0);
        assertEquals("wipe", approval.get("step").asText());
        assertTrue(approval.get("approved").asBoolean());
        assertNotNull(approval.get("time").textValue());
    }

    @Test
    void eachStepsBarsSpanExactlyItsRecordedDuration() throws IOException {
        JsonNode doc = JSON.readTree(cli.run("show", runId, "--json").out());
        int checked = 0;
        for (JsonNode step : doc.get("steps")) {
            JsonNode attempts = step.get("attempts");
            if (attempts.isEmpty()) {
                continue;
            }
            java.time.Instant from = java.time.Instant.parse(attempts.get(0).get("started").asText());
            java.time.Instant to = java.time.Instant.parse(attempts.get(attempts.size() - 1).get("finished").asText());
            assertEquals(step.get("durationMs").asLong(), java.time.Duration.between(from, to).toMillis(),
                    "step " + step.get("id") + ": its duration is the time from its first attempt's start to its end\n"
                            + step.toPrettyString());
            assertEquals(step.get("started").asText(), attempts.get(0).get("started").asText());
            assertEquals(step.get("finished").asText(), attempts.get(attempts.size() - 1).get("finished").asText());
            checked++;
        }
        assertEquals(5, checked, doc.toPrettyString());
    }

    @Test
    void textShowKeepsTheStepOfEveryLogLine() {
        CliRunner.Result r = cli.run("show", runId);
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("right-log │ echo: right says <b>hi</b>"), r.out());
        assertTrue(r.out().contains("start │ echo: go"), r.out());
        assertTrue(r.out().contains("▶ start (Say go (with the token)) attempt 1/1: echo go"), "the name: label:\n" + r.out());
        assertTrue(r.out().contains("▶ left attempt 1/3"), r.out());
        assertFalse(r.out().contains(TOKEN), r.out());
    }

    @Test
    void reportIsSelfContainedWithLanesBarsAndNoSecret() throws IOException {
        CliRunner.Result r = cli.run("report", runId, "--out", "review.html");
        assertEquals(0, r.code(), r.toString());
        Path page = dir.resolve("review.html");
        assertTrue(r.out().contains(page.toString()), r.out());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(page)));
        String html = Files.readString(page);
        assertFalse(html.contains(TOKEN), "the planted secret reached the report");
        for (String external : new String[] {"<script src", "<link", "@import", "url(", "src=\"http"}) {
            assertFalse(html.contains(external), "the page loads something: " + external);
        }
        assertTrue(html.contains("right says &lt;b&gt;hi&lt;/b&gt;"), "journal text is escaped");
        assertFalse(html.contains("<b>hi</b>"), "journal text is escaped");
        // left (two attempts 300 ms apart) and right (600 ms) run at the same time: two lanes at least,
        // and no lane holds two bars that overlap in time
        assertTrue(count(html, "class=\"lane\"") >= 2, html);
        for (String lane : html.split("<div class=\"lane\"")) {
            List<double[]> bars = new ArrayList<>();
            Matcher bar = Pattern.compile("style=\"left:([0-9.]+)%;width:([0-9.]+)%\"").matcher(lane);
            while (bar.find()) {
                bars.add(new double[] {Double.parseDouble(bar.group(1)), Double.parseDouble(bar.group(2))});
            }
            for (int i = 1; i < bars.size(); i++) {
                double previousEnd = bars.get(i - 1)[0] + bars.get(i - 1)[1];
                assertTrue(bars.get(i)[0] + 0.5 >= previousEnd - 0.31, "bars overlap in one lane: " + lane);
            }
        }
        // one bar per attempt: start, left x2, right, right-log, wipe
        assertEquals(6, count(html, "class=\"bar "), html);
        assertTrue(html.contains("data-step=\"left\" data-attempt=\"1\" data-outcome=\"failed\""), html);
        assertTrue(html.contains("<details class=\"step\" id=\"step-start\">"), html);
        assertTrue(html.contains("wipe <span class=\"name\">Wipe the &lt;scratch&gt; database</span>"), "the name: label, escaped:\n" + html);
        assertTrue(html.contains("title=\"wipe (Wipe the &lt;scratch&gt; database) attempt 1/1: succeeded"), html);
        assertTrue(html.contains(", 1 attempt, 1 log line</summary>"), html);
        assertFalse(html.contains(" 1 log lines"), html);
        assertTrue(html.contains("id=\"deadline\""), "the deadline is named");
        assertTrue(html.contains("<tr class=\"approval\"><td>wipe</td><td>approved</td>"), html);
    }

    @Test
    void reportFindsTheRunLikeShowDoes() throws IOException {
        // README: `runbook report last`; a unique prefix of a run id works as for `show`
        CliRunner.Result last = cli.run("report", "last", "--out", "last.html");
        assertEquals(0, last.code(), last.toString());
        assertTrue(last.out().contains("report of run " + runId), last.out());
        assertTrue(Files.readString(dir.resolve("last.html")).contains(runId));
        CliRunner.Result prefix = cli.run("report", runId.substring(0, 12), "--out", "prefix.html");
        assertEquals(0, prefix.code(), prefix.toString());
        assertTrue(prefix.out().contains("report of run " + runId), prefix.out());
        CliRunner.Result defaultName = cli.run("report", "last");
        assertEquals(0, defaultName.code(), defaultName.toString());
        assertTrue(Files.exists(dir.resolve("runbook-report-" + runId + ".html")), defaultName.toString());
    }

    @Test
    void reportOfAnUnknownRunIsAClearError() {
        CliRunner.Result r = cli.run("report", "no-such-run");
        assertEquals(ExitCodes.INVALID, r.code(), r.toString());
        assertTrue(r.err().contains("no run 'no-such-run'"), r.err());
    }

    private static JsonNode step(JsonNode doc, String id) {
        for (JsonNode s : doc.get("steps")) {
            if (s.get("id").asText().equals(id)) {
                return s;
            }
        }
        throw new AssertionError("no step " + id + " in " + doc.toPrettyString());
    }

    static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }
}
