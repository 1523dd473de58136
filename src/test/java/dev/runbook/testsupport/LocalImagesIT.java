package dev.runbook.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The locally built test images work under Testcontainers (no pull). (Not named Test*IT:
 * Surefire would also run a class whose name starts with "Test" as a unit test.)
 */
class LocalImagesIT {

    @BeforeAll
    static void docker() {
        Docker.requireAvailable();
    }

    @Test
    void apiIsHealthyOnlyAfterMigration() throws Exception {
        try (Network net = Network.newNetwork();
             GenericContainer<?> db = new GenericContainer<>(Docker.postgresImage())
                     .withNetwork(net).withNetworkAliases("db")
                     .withEnv("POSTGRES_USER", "app").withEnv("POSTGRES_PASSWORD", "pw").withEnv("POSTGRES_DB", "appdb")
                     .withExposedPorts(5432)
                     .waitingFor(Wait.forHealthcheck().withStartupTimeout(Duration.ofSeconds(60)));
             GenericContainer<?> api = new GenericContainer<>(Docker.API_IMAGE)
                     .withNetwork(net)
                     .withEnv("DATABASE_HOST", "db").withEnv("DATABASE_USER", "app")
                     .withEnv("DATABASE_NAME", "appdb").withEnv("DATABASE_PASSWORD", "pw")
                     .withExposedPorts(Docker.API_PORT)
                     .waitingFor(Wait.forListeningPort())) {
            db.start();
            api.start();
            URI health = URI.create("http://" + api.getHost() + ":" + api.getMappedPort(Docker.API_PORT) + "/health");
            HttpClient http = HttpClient.newHttpClient();

            assertEquals(503, get(http, health).statusCode());

            ExecResult failed = api.execInContainer(new String[] {"env", "MIGRATION_FAIL=1", "alembic", "upgrade", "head"});
            assertEquals(1, failed.getExitCode(), failed.getStderr());
            assertEquals(503, get(http, health).statusCode());

            ExecResult ok = api.execInContainer("alembic", "upgrade", "head");
            assertEquals(0, ok.getExitCode(), ok.getStderr());
            HttpResponse<String> r = get(http, health);
            assertEquals(200, r.statusCode());
            assertEquals("{\"status\":\"ok\"}", r.body());
        }
    }

    private static HttpResponse<String> get(HttpClient http, URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
