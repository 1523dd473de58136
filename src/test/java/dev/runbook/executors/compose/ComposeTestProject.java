package dev.runbook.executors.compose;

import dev.runbook.testsupport.RecordingStepContext;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A throwaway Compose project on the real Docker engine: its own project name and temp
 * directory; {@link #close()} always runs {@code down -v}. Images are local only (no registry
 * here): run scripts/setup-services.sh first, it builds runbook-test/busybox:latest.
 */
final class ComposeTestProject implements AutoCloseable {

    static final String BUSYBOX = "runbook-test/busybox:latest";

    final String name;
    final Path dir;
    final Path file;

    ComposeTestProject(String prefix, String composeYaml) throws IOException, InterruptedException {
        requireImage(BUSYBOX);
        this.name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        this.dir = Files.createTempDirectory("compose-it-");
        this.file = dir.resolve("docker-compose.yml");
        Files.writeString(file, composeYaml, StandardCharsets.UTF_8);
    }

    RecordingStepContext context() {
        return new RecordingStepContext().runbookDir(dir);
    }

    /** Params for the project, plus the step's own. */
    java.util.Map<String, Object> params(Object... keyValues) {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("project", name);
        m.put("files", List.of(file.getFileName().toString()));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    /** Containers of this project as `docker ps -a` sees them (independent of the code under test). */
    List<String> containerNames() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "ps", "-a", "--format", "{{.Names}}",
                "--filter", "label=com.docker.compose.project=" + name).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor(30, TimeUnit.SECONDS);
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    @Override
    public void close() throws Exception {
        Process p = new ProcessBuilder("docker-compose", "-p", name, "-f", file.toString(), "down", "-v",
                "--remove-orphans", "-t", "1").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(60, TimeUnit.SECONDS);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    static void requireImage(String image) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("docker", "image", "inspect", image).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), "image " + image + " is missing: run scripts/setup-services.sh "
                + "(starts dockerd and builds the local test images; nothing can be pulled here)");
    }
}
