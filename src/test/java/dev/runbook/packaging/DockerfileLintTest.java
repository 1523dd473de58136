package dev.runbook.packaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.export.CronJobExport;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Dockerfile cannot be built on the build machines (no registry to pull base images from),
 * so its essentials are checked statically: pinned base images, a non-root user matching the
 * uid the Kubernetes objects expect, an exec-form ENTRYPOINT, the PostgreSQL 15 client, and
 * sources that exist and are not excluded by .dockerignore.
 */
class DockerfileLintTest {

    private static final Path REPO = Path.of("").toAbsolutePath();

    /** One instruction, continuation lines joined, comments dropped. */
    record Instruction(int line, String keyword, String args) {
    }

    record Stage(String image, String alias, List<Instruction> instructions) {
        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }
    }

    static List<Instruction> parse(String text) {
        List<Instruction> out = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        StringBuilder current = null;
        int start = 0;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.startsWith("#") || (current == null && line.isEmpty())) {
                continue;
            }
            if (current == null) {
                current = new StringBuilder();
                start = n + 1;
            }
            boolean continues = line.endsWith("\\");
            current.append(continues ? line.substring(0, line.length() - 1) : line).append(' ');
            if (!continues) {
                String s = current.toString().strip();
                int space = s.indexOf(' ');
                out.add(new Instruction(start, s.substring(0, space).toUpperCase(Locale.ROOT), s.substring(space + 1).strip()));
                current = null;
            }
        }
        return out;
    }

    static List<Stage> stages(List<Instruction> instructions) {
        List<Stage> stages = new ArrayList<>();
        for (Instruction i : instructions) {
            if (i.keyword().equals("FROM")) {
                String[] parts = i.args().split("\\s+");
                String alias = parts.length == 3 && parts[1].equalsIgnoreCase("AS") ? parts[2] : null;
                stages.add(new Stage(parts[0], alias, new ArrayList<>()));
            } else {
                assertFalse(stages.isEmpty(), "line " + i.line() + ": " + i.keyword() + " before the first FROM");
                stages.get(stages.size() - 1).instructions().add(i);
            }
        }
        return stages;
    }

    private static List<Stage> dockerfile() throws IOException {
        return stages(parse(Files.readString(REPO.resolve("Dockerfile"), StandardCharsets.UTF_8)));
    }

    @Test
    void baseImagesArePinnedAndNothingSaysLatest() throws IOException {
        List<Stage> stages = dockerfile();
        assertTrue(stages.size() >= 2, "multi-stage: a build stage and a runtime stage");
        Pattern pinned = Pattern.compile("[a-z0-9./-]+(:[A-Za-z0-9][A-Za-z0-9._-]*)?(@sha256:[0-9a-f]{64})?");
        for (Stage s : stages) {
            Matcher m = pinned.matcher(s.image());
            assertTrue(m.matches() && (m.group(1) != null || m.group(2) != null), s.image() + " needs an explicit tag or digest");
            assertFalse(s.image().toLowerCase(Locale.ROOT).endsWith(":latest"), s.image() + " must not use latest");
            String tag = m.group(1) == null ? "" : m.group(1).substring(1);
            assertTrue(tag.matches(".*\\d.*"), s.image() + ": pin a versioned tag (digits), not a moving name like 'stable'");
        }
        String text = Files.readString(REPO.resolve("Dockerfile"));
        for (Instruction i : parse(text)) {
            assertFalse(i.args().toLowerCase(Locale.ROOT).matches(".*(:|\\s)latest\\b.*"), "line " + i.line() + " mentions latest: " + i.args());
        }
    }

    @Test
    void runtimeRunsAsTheNonRootUidTheKubernetesObjectsExpect() throws IOException {
        Stage runtime = dockerfile().get(dockerfile().size() - 1);
        List<Instruction> users = runtime.all("USER");
        assertFalse(users.isEmpty(), "the runtime stage must set USER");
        String user = users.get(users.size() - 1).args();
        String uid = user.split(":")[0];
        assertNotEquals("root", uid);
        assertNotEquals("0", uid);
        // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
        assertTrue(uid.matches("\\d+"), "USER should be numeric: " + user);
        assertEquals(String.valueOf(CronJobExport.RUN_AS), uid, "the uid runbook export cronjob and the chart run as");
        // No RUN after the USER switches back to root work: every RUN is before the last USER.
        int userLine = users.get(users.size() - 1).line();
        assertTrue(runtime.all("RUN").stream().allMatch(r -> r.line() < userLine), "RUN after USER would run as the non-root user");
    }

    @Test
    void entrypointIsExecFormAndRunsRunbook() throws IOException {
        Stage runtime = dockerfile().get(dockerfile().size() - 1);
        List<Instruction> entrypoints = runtime.all("ENTRYPOINT");
        assertEquals(1, entrypoints.size(), "exactly one ENTRYPOINT in the runtime stage");
        String json = entrypoints.get(0).args();
        assertTrue(json.startsWith("["), "ENTRYPOINT must be exec form (a JSON array), so signals reach runbook: " + json);
        List<?> argv = new ObjectMapper().readValue(json, List.class);
        assertEquals("runbook", argv.get(0));
        for (Instruction cmd : runtime.all("CMD")) {
            assertTrue(cmd.args().startsWith("["), "CMD must be exec form too: " + cmd.args());
            new ObjectMapper().readValue(cmd.args(), List.class);
        }
        // The launcher must be reachable as `runbook` and find the jar where the image puts it.
        String runs = String.join(" ", runtime.all("RUN").stream().map(Instruction::args).toList());
        assertTrue(runs.contains("/usr/local/bin/runbook"), "runbook on the PATH");
        String launcher = Files.readString(REPO.resolve("bin/runbook"));
        assertTrue(launcher.contains("target/runbook.jar"), "bin/runbook looks for target/runbook.jar");
        List<String> copies = runtime.all("COPY").stream().map(Instruction::args).toList();
        assertTrue(copies.stream().anyMatch(c -> c.startsWith("--from=build") && c.endsWith("/opt/runbook/target/runbook.jar")), copies.toString());
        assertTrue(copies.stream().anyMatch(c -> c.startsWith("--from=build") && c.endsWith("/opt/runbook/target/lib")), copies.toString());
    }

    @Test
    void runtimeHasJre17AndPostgres15ClientFromOneCleanAptLayer() throws IOException {
        Stage runtime = dockerfile().get(dockerfile().size() - 1);
        assertTrue(runtime.image().startsWith("debian:12") || runtime.image().contains("bookworm"),
                "postgresql-client-15 is Debian 12 (bookworm)'s client: " + runtime.image());
        Instruction apt = runtime.all("RUN").stream().filter(r -> r.args().contains("apt-get install")).findFirst().orElseThrow();
        assertTrue(apt.args().contains("postgresql-client-15"), "PostgreSQL client pinned to major 15");
        assertTrue(apt.args().contains("openjdk-17-jre-headless"), "a Java 17 runtime");
        assertTrue(apt.args().contains("apt-get update") && apt.args().contains("-y") && apt.args().contains("--no-install-recommends"));
        assertTrue(apt.args().contains("rm -rf /var/lib/apt/lists/*"), "apt lists removed in the same layer");
        Stage build = dockerfile().get(0);
        assertTrue(build.all("RUN").stream().anyMatch(r -> r.args().matches(".*mvn .*package.*")), "the build stage runs mvn package");
    }

    @Test
    void copiedSourcesExistAndAreNotDockerIgnored() throws IOException {
        List<String> ignored = Files.readAllLines(REPO.resolve(".dockerignore")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        for (Stage s : dockerfile()) {
            for (Instruction copy : s.all("COPY")) {
                if (copy.args().startsWith("--from=")) {
                    String from = copy.args().substring(7, copy.args().indexOf(' '));
                    assertTrue(dockerfile().stream().anyMatch(st -> from.equals(st.alias())), "COPY --from names a stage: " + from);
                    continue;
                }
                String[] parts = copy.args().split("\\s+");
                for (int k = 0; k < parts.length - 1; k++) {
                    String src = parts[k].replaceAll("/$", "");
                    assertTrue(Files.exists(REPO.resolve(src)), "COPY source missing from the repository: " + src);
                    String top = src.split("/")[0];
                    assertFalse(ignored.contains(top), "COPY source excluded by .dockerignore: " + src);
                }
            }
        }
        assertTrue(ignored.contains("target"), "a local target/ must not leak into the build context");
    }

    /** dockerfilelint (npm) when it is installed; hadolint is in neither apt nor npm. */
    @Test
    void dockerfilelintFindsNoIssuesWhenInstalled() throws Exception {
        Path tool = findOnPath("dockerfilelint");
        assumeTrue(tool != null, "dockerfilelint is not installed (npm install -g dockerfilelint@1.8.0)");
        Process p = new ProcessBuilder(tool.toString(), "Dockerfile").directory(REPO.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertNotNull(out);
    }

    private static Path findOnPath(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
