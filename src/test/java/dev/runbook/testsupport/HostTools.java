package dev.runbook.testsupport;

/** Paths of host tools installed by scripts/setup-services.sh. */
public final class HostTools {

    private HostTools() {
    }

    /**
     * Debian's AWS CLI v2. Always use this absolute path: a pyenv shim
     * ({@code /root/.pyenv/shims/aws}) may come first on PATH.
     */
    public static final String AWS_CLI = "/usr/bin/aws";

    /** Docker Compose v1 (Debian ships no v2 plugin): {@code docker-compose}, not {@code docker compose}. */
    public static final String DOCKER_COMPOSE = "/usr/bin/docker-compose";

    /** PostgreSQL 15 server and client binaries (initdb, pg_ctl, pg_dump, pg_restore, psql, ...). */
    public static final String PG_BIN = "/usr/lib/postgresql/15/bin";

    public static String pgTool(String name) {
        return PG_BIN + "/" + name;
    }
}
