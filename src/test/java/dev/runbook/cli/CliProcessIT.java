package dev.runbook.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code bin/runbook} as a user runs it: the launcher and the packaged jar ({@code mvn package}
 * runs before failsafe). The jar holds only the main executors, so the runbooks here use
 * {@code http-check} against a JDK HTTP server started by the test.
 */
class CliProcessIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();

    @TempDir
    Path dir;
    HttpServer server;
    final AtomicInteger status = new AtomicInteger(200);

    record Result(int code, String output) {
    }

    @BeforeEach
    void startServer() throws Exception {
        assertTrue(Files.isRegularFile(PROJECT.resolve("target/runbook.jar")), "target/runbook.jar is missing: run mvn package first");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (InputStream in = CliProcessIT.class.getResourceAsStream("/engine/ping.yaml")) {
            Files.write(dir.resolve("ping.yaml"), in.readAllBytes());
        }
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String url() {
        return "url=http://127.0.0.1:" + server.getAddress().getPort() + "/health";
    }

    private Result runbook(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(PROJECT.resolve("bin/runbook").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("RUNBOOK_STATE_DIR", dir.resolve(".runbook").toString()); // never the real ~
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "runbook " + args[0] + " did not end");
        return new Result(p.exitValue(), output);
    }

    @Test
    void versionComesFromTheJarManifest() throws Exception {
        Result r = runbook("--version");
        assertEquals(0, r.code(), r.output());
        assertTrue(r.output().startsWith("runbook "), r.output());
        assertTrue(!r.output().contains("development build"), "the jar has no Implementation-Version: " + r.output());
    }

    @Test
    void validatePlanRunRunsShowThroughTheLauncher() throws Exception {
        Result valid = runbook("validate", "ping.yaml");
        assertEquals(0, valid.code(), valid.output());

        Result plan = runbook("plan", "ping.yaml", "--input", url());
        assertEquals(0, plan.code(), plan.output());
        assertTrue(plan.output().contains("health"), plan.output());

        Result ok = runbook("run", "ping.yaml", "--input", url());
        assertEquals(ExitCodes.OK, ok.code(), ok.output());

        status.set(503);
        Result failed = runbook("run", "ping.yaml", "--input", url());
        assertEquals(ExitCodes.STEP_FAILED, failed.code(), failed.output());
        assertTrue(failed.output().contains("503"), failed.output());

        Result runs = runbook("runs");
        assertEquals(0, runs.code(), runs.output());
        assertTrue(runs.output().contains("succeeded") && runs.output().contains("failed"), runs.output());

        String failedId = runs.output().lines().skip(1).filter(l -> l.contains("failed")).findFirst().orElseThrow().split("\\s+")[0];
        Result show = runbook("show", failedId);
        assertEquals(0, show.code(), show.output());
        assertTrue(show.output().contains("status: failed"), show.output());

        status.set(200);
        Result resumed = runbook("resume", failedId);
        assertEquals(ExitCodes.OK, resumed.code(), resumed.output());
    }

    @Test
    void usageErrorsAndInvalidRunbooksExitWithTwo() throws Exception {
        Files.writeString(dir.resolve("broken.yaml"), "name: broken\nsteps:\n  - id: a\n    uses: http-check.nope\n");
        Result invalid = runbook("validate", "broken.yaml");
        assertEquals(ExitCodes.INVALID, invalid.code(), invalid.output());
        assertTrue(invalid.output().contains("broken.yaml:4"), invalid.output());

        Result unknown = runbook("run", "--frobnicate");
        assertEquals(ExitCodes.INVALID, unknown.code(), unknown.output());
    }

    @Test
    void anUnapprovedStepExitsWithFive() throws Exception {
        Files.writeString(dir.resolve("confirm.yaml"), """
                name: confirm
                steps:
                  - id: confirm
                    uses: approve
                    with: { message: "Resolve the incident?" }
                """);
        Result r = runbook("run", "confirm.yaml");
        assertEquals(ExitCodes.NOT_APPROVED, r.code(), r.output());
        Result yes = runbook("run", "confirm.yaml", "--yes");
        assertEquals(ExitCodes.OK, yes.code(), yes.output());
    }
}
