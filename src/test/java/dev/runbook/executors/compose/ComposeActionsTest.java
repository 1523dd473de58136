package dev.runbook.executors.compose;

import dev.runbook.spi.Action;
import dev.runbook.spi.BadParameterException;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Target;
import dev.runbook.testsupport.RecordingStepContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure parts: plan lines, destructiveness, command and project resolution, binary detection. */
class ComposeActionsTest {

    @TempDir
    Path dir;

    @Test
    void executorOffersOneClassPerAction() {
        ComposeExecutor executor = new ComposeExecutor();
        assertEquals("compose", executor.name());
        assertEquals(List.of("up", "down", "ps", "wait-healthy", "exec", "run", "logs", "port"),
                executor.actions().stream().map(Action::name).toList());
    }

    @Test
    void upDescribesServicesProjectAndWait() {
        assertEquals("start service db (detached) in compose project shop and wait until healthy (up to 2m)",
                new UpAction().describe(Params.of(Map.of("project", "shop", "services", List.of("db"),
                        "wait", true, "within", "2m"))));
        assertEquals("start all services (detached) in the target's compose project",
                new UpAction().describe(Params.of(Map.of())));
    }

    @Test
    void execDescribesTheCommandAndOnlyTheEnvNames() {
        Params params = Params.of(Map.of("project", "shop", "service", "api",
                "command", List.of("alembic", "upgrade", "head"),
                "env", Map.of("DB_PASSWORD", new Secret("pw-in-plan-never"))));
        String line = new ExecAction().describe(params);
        assertEquals("run `alembic upgrade head` with env DB_PASSWORD in service api of compose project shop", line);
        assertFalse(line.contains("pw-in-plan-never"));
    }

    @Test
    void describeShowsRunTimeValuesAsTheirExpression() {
        String line = new RunAction().describe(Params.of(Map.of("service", "api",
                "command", List.of("restore", new Deferred("steps.latest.outputs.key")))));
        assertEquals("run `restore ⟨from steps.latest.outputs.key⟩` in a one-off container of service api of "
                + "the target's compose project", line);
    }

    @Test
    void downIsDestructiveOnlyWhenItDeletesVolumes() {
        DownAction down = new DownAction();
        assertFalse(down.destructive(Params.of(Map.of("project", "shop"))));
        assertTrue(down.describe(Params.of(Map.of("project", "shop"))).endsWith("(volumes are kept)"));
        Params withVolumes = Params.of(Map.of("project", "shop", "volumes", true));
        assertTrue(down.destructive(withVolumes));
        assertTrue(down.describe(withVolumes).contains("DELETE its named volumes"));
    }

    @Test
    void aCommandIsAnArgumentArrayUnlessShellIsAskedFor() {
        assertEquals(List.of("pg_isready", "-q"), ComposeParams.command(Params.of(Map.of(
                "command", List.of("pg_isready", "-q")))));
        BadParameterException string = assertThrows(BadParameterException.class, () -> ComposeParams.command(
                Params.of(Map.of("command", "psql -c 'select 1'"))));
        assertTrue(string.getMessage().contains("shell: true"), string.getMessage());
        assertEquals(List.of("sh", "-c", "echo $HOME"), ComposeParams.command(Params.of(Map.of(
                "command", "echo $HOME", "shell", true))));
        assertThrows(BadParameterException.class, () -> ComposeParams.command(Params.of(Map.of(
                "command", List.of("echo"), "shell", true))));
        assertThrows(BadParameterException.class, () -> ComposeParams.command(Params.of(Map.of(
                "command", new Secret("rm -rf /")))));
    }

    @Test
    void projectComesFromTheStepBeforeTheTarget() throws Exception {
        Files.writeString(dir.resolve("prod.yml"), "services: {}\n");
        Files.createDirectories(dir.resolve("deploy"));
        Files.writeString(dir.resolve("deploy/compose.yml"), "services: {}\n");
        RecordingStepContext ctx = new RecordingStepContext().runbookDir(dir).target(new Target("compose",
                Map.of("project", "shop", "files", List.of("deploy/compose.yml"), "project-dir", "deploy")));

        ComposeProject fromTarget = ComposeProject.resolve(Params.of(Map.of()), ctx);
        assertEquals("shop", fromTarget.name());
        assertEquals(List.of(dir.resolve("deploy/compose.yml")), fromTarget.files());
        assertEquals(List.of("-p", "shop", "-f", dir.resolve("deploy/compose.yml").toString(),
                "--project-directory", dir.resolve("deploy").toString()), fromTarget.selectorArgs());

        ComposeProject fromStep = ComposeProject.resolve(Params.of(Map.of("project", "shop-staging",
                "files", List.of("prod.yml"))), ctx);
        assertEquals("shop-staging", fromStep.name());
        assertEquals(List.of(dir.resolve("prod.yml")), fromStep.files());
    }

    @Test
    void missingProjectOrFileIsAClearFailure() {
        RecordingStepContext ctx = new RecordingStepContext().runbookDir(dir);
        StepFailure noName = assertThrows(StepFailure.class, () -> ComposeProject.resolve(Params.of(Map.of()), ctx));
        assertTrue(noName.getMessage().contains("no Compose project name"), noName.getMessage());
        StepFailure noFile = assertThrows(StepFailure.class, () -> ComposeProject.resolve(Params.of(Map.of(
                "project", "shop", "files", List.of("missing.yml"))), ctx));
        assertTrue(noFile.getMessage().contains(dir.resolve("missing.yml").toString()), noFile.getMessage());
    }

    @Test
    void missingComposeSaysWhichCommandsWereTried() throws Exception {
        Path emptyBin = Files.createDirectories(dir.resolve("bin"));
        StepFailure f = assertThrows(StepFailure.class, () -> ComposeCli.detect(Map.of("PATH", emptyBin.toString())));
        assertTrue(f.getMessage().contains("`docker compose`"), f.getMessage());
        assertTrue(f.getMessage().contains("`docker-compose`"), f.getMessage());
        assertTrue(f.getMessage().contains("apt-get install docker-compose"), f.getMessage());
    }

    @Test
    void aDockerWithoutTheComposePluginFallsBackToV1() throws Exception {
        // fake tools on a private PATH: `docker compose` fails like a CLI without the plugin,
        // docker-compose answers like v1
        Path bin = Files.createDirectories(dir.resolve("fakebin"));
        Path docker = bin.resolve("docker");
        Files.writeString(docker, "#!/bin/sh\necho \"docker: '$1' is not a docker command.\" >&2\nexit 1\n");
        Path v1 = bin.resolve("docker-compose");
        Files.writeString(v1, "#!/bin/sh\n[ \"$1 $2\" = \"version --short\" ] && echo 1.29.2 && exit 0\nexit 2\n");
        docker.toFile().setExecutable(true);
        v1.toFile().setExecutable(true);
        ComposeCli.Binary binary = ComposeCli.detect(Map.of("PATH", bin.toString()));
        assertEquals(List.of(v1.toString()), binary.command());
        assertEquals("1.29.2", binary.version());
        assertFalse(binary.v2());

        Files.writeString(docker, "#!/bin/sh\n[ \"$1 $2 $3\" = \"compose version --short\" ] && echo 2.29.1 && exit 0\nexit 1\n");
        Path other = Files.createDirectories(dir.resolve("fakebin2"));
        Files.copy(docker, other.resolve("docker"));
        other.resolve("docker").toFile().setExecutable(true);
        ComposeCli.Binary v2 = ComposeCli.detect(Map.of("PATH", other + ":" + bin));
        assertEquals(List.of(other.resolve("docker").toString(), "compose"), v2.command());
        assertTrue(v2.v2());
    }
}
