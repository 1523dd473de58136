package dev.runbook.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTML run report in a real headless Chromium (Debian's {@code chromium}, installed by
 * scripts/setup-services.sh): the page is loaded from a file with networking features off, the
 * rendered geometry of lanes and bars is read back from the DOM, a screenshot is taken and its
 * pixels checked for the outcome colours, and the planted secret is absent from the page.
 */
class ReportChromiumIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    /**
     * Added to a copy of the report only (the report itself has no script): measures every lane
     * and bar as laid out and writes the figures into the DOM for --dump-dom to return.
     */
    private static final String MEASURE = """
            <script>
            addEventListener('load', () => {
              const out = [];
              document.querySelectorAll('.lane').forEach((lane, i) => {
                const l = lane.getBoundingClientRect();
                out.push(`lane ${i + 1} top=${l.top} bottom=${l.bottom}`);
                lane.querySelectorAll('.bar').forEach(b => {
                  const r = b.getBoundingClientRect();
                  const c = getComputedStyle(b).backgroundColor;
                  out.push(`bar ${b.dataset.step} ${b.dataset.attempt} ${b.dataset.outcome} lane=${i + 1} left=${r.left} right=${r.right} top=${r.top} bottom=${r.bottom} color=${c}`);
                });
              });
              const d = document.querySelectorAll('details.step');
              out.push(`details ${d.length} open=${[...d].filter(x => x.open).length}`);
              const pre = document.createElement('pre');
              pre.id = 'measured';
              pre.textContent = out.join('\\n');
              document.body.appendChild(pre);
            });
            </script>
            """;

    @TempDir
    Path dir;
    Path report;
    String html;

    @BeforeEach
    void runAndReport() throws IOException {
        assertTrue(Files.isExecutable(CHROMIUM), "Debian's chromium is not installed: run scripts/setup-services.sh"
                + " (or apt-get install -y chromium)");
        CliRunner cli = new CliRunner(dir, Map.of("REPORT_TOKEN", ShowAndReportTest.TOKEN));
        cli.copy("report.yaml");
        assertEquals(0, cli.run("run", "report.yaml", "--approve", "wipe").code());
        String runId;
        try (Stream<Path> runs = Files.list(dir.resolve(".runbook/runs"))) {
            runId = runs.findFirst().orElseThrow().getFileName().toString();
        }
        CliRunner.Result r = cli.run("report", runId, "--out", "report.html");
        assertEquals(0, r.code(), r.toString());
        report = dir.resolve("report.html");
        html = Files.readString(report, StandardCharsets.UTF_8);
    }

    @Test
    void lanesAndBarsRenderInChromiumAndTheSecretIsAbsent() throws Exception {
        assertFalse(html.contains(ShowAndReportTest.TOKEN), "the planted secret reached the report");
        Path measured = dir.resolve("measured.html");
        Files.writeString(measured, html.replace("</body>", MEASURE + "</body>"), StandardCharsets.UTF_8);
        String dom = chromium("--dump-dom", measured.toUri().toString());
        Matcher m = Pattern.compile("(?s)<pre id=\"measured\">(.*?)</pre>").matcher(dom);
        assertTrue(m.find(), "the page did not render (no measurements):\n" + dom);
        String figures = m.group(1);

        List<double[]> lanes = new ArrayList<>();
        Matcher lane = Pattern.compile("lane (\\d+) top=([0-9.]+) bottom=([0-9.]+)").matcher(figures);
        while (lane.find()) {
            lanes.add(new double[] {Double.parseDouble(lane.group(2)), Double.parseDouble(lane.group(3))});
        }
        assertTrue(lanes.size() >= 2, "left and right ran at the same time: two lanes at least\n" + figures);
        for (int i = 1; i < lanes.size(); i++) {
            assertTrue(lanes.get(i)[0] >= lanes.get(i - 1)[1], "lanes are stacked, not overlapping\n" + figures);
        }

        record Bar(String step, String outcome, int lane, double left, double right, double top, double bottom, String color) {
        }
        List<Bar> bars = new ArrayList<>();
        Matcher bar = Pattern.compile("bar (\\S+) (\\d+) (\\S+) lane=(\\d+) left=([0-9.]+) right=([0-9.]+) top=([0-9.]+) bottom=([0-9.]+) color=(rgb\\([^)]*\\))")
                .matcher(figures);
        while (bar.find()) {
            bars.add(new Bar(bar.group(1), bar.group(3), Integer.parseInt(bar.group(4)), Double.parseDouble(bar.group(5)),
                    Double.parseDouble(bar.group(6)), Double.parseDouble(bar.group(7)), Double.parseDouble(bar.group(8)), bar.group(9)));
        }
        assertEquals(6, bars.size(), "one bar per attempt\n" + figures);
        for (Bar b : bars) {
            assertTrue(b.right() > b.left(), "a bar with no width: " + b);
            double[] l = lanes.get(b.lane() - 1);
            assertTrue(b.top() >= l[0] && b.bottom() <= l[1] + 1, "a bar outside its lane: " + b + "\n" + figures);
        }
        for (Bar a : bars) {
            for (Bar b : bars) {
                if (a != b && a.lane() == b.lane()) {
                    assertTrue(a.right() <= b.left() + 1.5 || b.right() <= a.left() + 1.5, "bars overlap in one lane: " + a + " / " + b);
                }
            }
        }
        Bar failed = bars.stream().filter(b -> b.step().equals("left") && b.outcome().equals("failed")).findFirst().orElseThrow();
        Bar succeeded = bars.stream().filter(b -> b.step().equals("left") && b.outcome().equals("succeeded")).findFirst().orElseThrow();
        assertTrue(failed.right() <= succeeded.left() + 1.5, "attempt 2 is drawn after attempt 1");
        assertEquals("rgb(198, 40, 40)", failed.color(), "a failed attempt is red");
        assertEquals("rgb(46, 133, 64)", succeeded.color(), "a succeeded attempt is green");
        assertTrue(figures.contains("details 5 open=0"), "each step's log is collapsed in a <details>\n" + figures);
    }

    @Test
    void aScreenshotShowsTheColouredBars() throws Exception {
        Path shot = Path.of("target", "report-screenshot.png").toAbsolutePath(); // kept for people to look at
        Files.createDirectories(shot.getParent());
        Files.deleteIfExists(shot);
        chromium("--screenshot=" + shot, "--window-size=1280,900", report.toUri().toString());
        assertTrue(Files.size(shot) > 10_000, "screenshot too small to show anything: " + Files.size(shot));
        BufferedImage image = ImageIO.read(shot.toFile());
        int green = 0;
        int red = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                green += rgb == 0x2e8540 ? 1 : 0;
                red += rgb == 0xc62828 ? 1 : 0;
            }
        }
        assertTrue(green > 500, "no green (succeeded) bars on the screenshot: " + green + " pixels");
        assertTrue(red > 100, "no red (failed attempt) bar on the screenshot: " + red + " pixels");
    }

    /** Runs headless Chromium on a local file, networking features off, with a fresh profile; returns stdout. */
    private String chromium(String... args) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(dir, "chromium-profile");
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Path stdout = dir.resolve("chromium.out");
        Process p = new ProcessBuilder(command).redirectOutput(stdout.toFile())
                .redirectError(dir.resolve("chromium.err").toFile()).start();
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 90 s");
        }
        assertEquals(0, p.exitValue(), "chromium failed: " + Files.readString(dir.resolve("chromium.err")));
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }
}
