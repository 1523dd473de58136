package dev.runbook.testsupport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.testcontainers.utility.DockerImageName;

/**
 * Docker helpers for integration tests. The engine and the images are prepared by
 * {@code scripts/setup-services.sh} (run by {@code scripts/test}); nothing can be pulled
 * on this machine, so tests use only these locally built tags.
 *
 * <p>Testcontainers additionally needs {@code TESTCONTAINERS_RYUK_DISABLED=true} and
 * {@code TESTCONTAINERS_HOST_OVERRIDE=localhost} in the test JVM's environment
 * ({@code scripts/test} sets both).
 */
public final class Docker {

    private Docker() {
    }

    /**
     * PostgreSQL 15 (Debian's), official-image compatible: POSTGRES_USER, POSTGRES_PASSWORD
     * (or _FILE), POSTGRES_DB, POSTGRES_HOST_AUTH_METHOD, /docker-entrypoint-initdb.d;
     * PGDATA=/var/lib/postgresql/data; STOPSIGNAL SIGINT; HEALTHCHECK with pg_isready.
     * Also contains psql, pg_dump, pg_restore.
     */
    public static final String POSTGRES_IMAGE = "runbook-test/postgres:15";

    /** Static busybox: sh, httpd, wget, nc, ... (use {@code init: true} in compose for fast stops). */
    public static final String BUSYBOX_IMAGE = "runbook-test/busybox:latest";

    /**
     * Stand-in for the team's api service: serves {@code GET /health} on port 8000 (200
     * {@code {"status":"ok"}} only when the database answers and {@code alembic_version} has
     * a row, else 503); {@code alembic upgrade head} applies revision 0002 (fails with exit 1
     * when MIGRATION_FAIL=1). Env: DATABASE_HOST, DATABASE_PORT, DATABASE_USER,
     * DATABASE_NAME, DATABASE_PASSWORD or DATABASE_PASSWORD_FILE, optional MIGRATION_TABLE
     * (table that gets a {@code migrated_at} column, default users).
     */
    public static final String API_IMAGE = "runbook-test/api:latest";

    public static final int API_PORT = 8000;

    private static volatile Boolean available;

    /** The locally built PostgreSQL image, usable where Testcontainers expects {@code postgres}. */
    public static DockerImageName postgresImage() {
        return DockerImageName.parse(POSTGRES_IMAGE).asCompatibleSubstituteFor("postgres");
    }

    /** True when {@code docker info} answers (checked once per JVM). */
    public static boolean isAvailable() {
        Boolean a = available;
        if (a == null) {
            try {
                a = Exec.run(List.of("docker", "info"), Map.of(), null, Duration.ofSeconds(20)).ok();
            } catch (IllegalStateException e) {
                a = false;
            }
            available = a;
        }
        return a;
    }

    /** Fails fast with a hint when the engine or one of the test images is missing. */
    public static void requireAvailable() {
        if (!isAvailable()) {
            throw new IllegalStateException("docker is not available: run scripts/setup-services.sh "
                    + "(or the full test command scripts/test)");
        }
        for (String image : List.of(POSTGRES_IMAGE, BUSYBOX_IMAGE, API_IMAGE)) {
            if (!imageExists(image)) {
                throw new IllegalStateException("test image " + image + " is missing: run scripts/setup-services.sh");
            }
        }
    }

    public static boolean imageExists(String image) {
        return docker("image", "inspect", image).ok();
    }

    /** Runs the docker CLI; check {@link Exec.Result#ok()} or call {@link Exec.Result#orThrow()}. */
    public static Exec.Result docker(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("docker");
        cmd.addAll(Arrays.asList(args));
        return Exec.run(cmd, Map.of(), null, Duration.ofMinutes(2));
    }

    /** Runs docker-compose (v1) with the given project name and compose file. */
    public static Exec.Result compose(String project, java.nio.file.Path composeFile, String... args) {
        List<String> cmd = new ArrayList<>(List.of(HostTools.DOCKER_COMPOSE, "-p", project, "-f", composeFile.toString()));
        cmd.addAll(Arrays.asList(args));
        return Exec.run(cmd, Map.of(), composeFile.toAbsolutePath().getParent(), Duration.ofMinutes(3));
    }
}
