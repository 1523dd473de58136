package dev.runbook.executors.postgres;

import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The connection parameters every postgres action shares, with libpq's defaults from the run's
 * environment ({@code PGHOST}, {@code PGPORT}, {@code PGUSER}, {@code PGDATABASE},
 * {@code PGPASSWORD}, {@code PGSSLMODE}).
 *
 * <p>The password leaves this record only two ways: as {@code PGPASSWORD} in a child process's
 * environment and as the JDBC {@code password} property. {@link #toString()} and
 * {@link #display()} never show it, and it is never put into argv.
 *
 * @param sslmode passed unchanged to both JDBC and libpq ({@code PGSSLMODE}): the tool never
 *                weakens it; {@code verify-full} with {@code sslrootcert} verifies the server
 */
public record PgConnection(String host, int port, String user, String database, String password,
                           String sslmode, String sslrootcert) {

    static final List<String> SSL_MODES = List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    /** The parameter specs, to append to each action's own. */
    static List<ParamSpec> specs() {
        return List.of(
                ParamSpec.optional("host", ParamType.STRING, null, "server host name or address (default $PGHOST, else localhost)"),
                ParamSpec.optional("port", ParamType.INT, null, "server port (default $PGPORT, else 5432)"),
                ParamSpec.optional("user", ParamType.STRING, null, "role to connect as (default $PGUSER, else postgres)"),
                ParamSpec.optional("database", ParamType.STRING, null, "database (default $PGDATABASE, else postgres)"),
                ParamSpec.optional("password", ParamType.STRING, null,
                        "password (default $PGPASSWORD); given to tools only through their environment").asSensitive(),
                ParamSpec.optional("sslmode", ParamType.STRING, null,
                        "libpq sslmode (default $PGSSLMODE, else prefer); verify-full checks the server certificate")
                        .oneOf(SSL_MODES.toArray(String[]::new)),
                ParamSpec.optional("sslrootcert", ParamType.STRING, null, "CA certificate file for verify-ca / verify-full"));
    }

    static List<ParamSpec> withConnection(ParamSpec... own) {
        List<ParamSpec> all = new ArrayList<>(List.of(own));
        all.addAll(specs());
        return List.copyOf(all);
    }

    /** For the plan: "PostgreSQL database app on db:5432 (user app)", defaults as {@link #from} takes them. */
    static String display(Params params, Map<String, String> env) {
        String database = params.has("database") ? params.display("database") : env.getOrDefault("PGDATABASE", "postgres");
        return "PostgreSQL database " + database + " on " + params.display("host", env.getOrDefault("PGHOST", "localhost"))
                + ":" + params.display("port", env.getOrDefault("PGPORT", "5432"))
                + " (user " + params.display("user", env.getOrDefault("PGUSER", "postgres")) + ")";
    }

    /** Resolves the parameters at run time; registers a password taken from the environment as a secret. */
    static PgConnection from(Params params, StepContext context) throws StepFailure {
        Map<String, String> env = context.env();
        String host = params.string("host", env.getOrDefault("PGHOST", "localhost"));
        if (host.startsWith("/")) {
            throw new StepFailure("host '" + host + "' is a Unix socket directory; the postgres executor connects"
                    + " over TCP: set host to the server's name or 127.0.0.1", false, null);
        }
        long port;
        try {
            port = params.has("port") ? params.integer("port", 5432) : Long.parseLong(env.getOrDefault("PGPORT", "5432").trim());
        } catch (NumberFormatException e) {
            throw new StepFailure("PGPORT='" + env.get("PGPORT") + "' is not a port number", false, null);
        }
        String user = params.string("user", env.getOrDefault("PGUSER", "postgres"));
        String database = params.string("database", env.getOrDefault("PGDATABASE", "postgres"));
        String password;
        Params.Sensitive given = params.sensitive("password");
        if (given != null) {
            password = given.value();
        } else {
            password = env.get("PGPASSWORD");
        }
        if (password != null && !password.isEmpty()) {
            context.addSecret(password);
        } else {
            password = null;
        }
        String sslmode = params.string("sslmode", env.getOrDefault("PGSSLMODE", "prefer"));
        if (!SSL_MODES.contains(sslmode)) {
            throw new StepFailure("sslmode '" + sslmode + "' is not one of " + SSL_MODES, false, null);
        }
        String rootcert = params.string("sslrootcert", env.get("PGSSLROOTCERT"));
        return new PgConnection(host, (int) port, user, database, password, sslmode, rootcert);
    }

    /** Plan text with no I/O: {@code app@db.internal:5432}, env defaults shown as $PGHOST etc. */
    static String display(Params params) {
        return params.display("database", "$PGDATABASE") + "@" + params.display("host", "$PGHOST")
                + ":" + params.display("port", "$PGPORT");
    }

    /** The same server and credentials, another database. */
    public PgConnection withDatabase(String other) {
        return new PgConnection(host, port, user, other, password, sslmode, sslrootcert);
    }

    /** {@code app@localhost:5432}, for messages; never includes the password. */
    public String display() {
        return database + "@" + host + ":" + port;
    }

    public String hostPort() {
        return host + ":" + port;
    }

    /**
     * The libpq environment for pg_dump, psql and pg_restore. Everything about the connection
     * goes here rather than into argv, so {@code ps} shows no password and no connection string.
     */
    public Map<String, String> childEnv() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", user);
        env.put("PGDATABASE", database);
        env.put("PGSSLMODE", sslmode);
        env.put("PGAPPNAME", "runbook");
        env.put("PGCONNECT_TIMEOUT", "10");
        if (sslrootcert != null) {
            env.put("PGSSLROOTCERT", sslrootcert);
        }
        // always set, so a PGPASSWORD inherited from the JVM's own environment cannot stand in
        env.put("PGPASSWORD", password == null ? "" : password);
        return env;
    }

    /** Opens a JDBC connection; the password travels as a driver property only. */
    public Connection open(int connectTimeoutSeconds) throws SQLException {
        String url = "jdbc:postgresql://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + "/"
                + URLEncoder.encode(database, StandardCharsets.UTF_8).replace("+", "%20");
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("sslmode", sslmode);
        if (sslrootcert != null) {
            props.setProperty("sslrootcert", sslrootcert);
        }
        props.setProperty("ApplicationName", "runbook");
        props.setProperty("connectTimeout", Integer.toString(Math.max(1, connectTimeoutSeconds)));
        props.setProperty("socketTimeout", "0");
        return DriverManager.getConnection(url, props);
    }

    public Connection open() throws SQLException {
        return open(10);
    }

    /** Opens a connection or fails the step with a message naming the server (never the password). */
    public Connection connect() throws StepFailure {
        try {
            return open();
        } catch (SQLException e) {
            throw new StepFailure("cannot connect to " + display() + " as " + user + ": " + Sql.message(e)
                    + " (check that the server is up, and the host, port, user and password)", e);
        }
    }

    @Override
    public String toString() {
        return user + " → " + display() + " (sslmode " + sslmode + ")";
    }
}
