package dev.runbook.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A throwaway PostgreSQL 15 cluster on the host (Debian's binaries), on a free port of
 * 127.0.0.1, with its data, socket and log under one temporary directory.
 *
 * <p>Usage: {@link #shared()} (trust auth) or {@link #sharedWithPasswords()} (SCRAM over
 * TCP) give one cluster per JVM, stopped by a shutdown hook; {@link #builder()} starts a
 * private one that the caller must {@link #stop()} (it is {@link AutoCloseable}).
 * Initialising and starting takes about a second; give each test its own database.
 *
 * <p>The server refuses to run as root, so when the JVM runs as root the cluster
 * directory is owned by {@code postgres} and initdb/pg_ctl run through
 * {@code runuser -u postgres}. The superuser is always {@value #SUPERUSER} with password
 * {@value #SUPERUSER_PASSWORD}.
 */
public final class PostgresCluster implements AutoCloseable {

    /** How TCP connections authenticate. The local socket is always trust. */
    public enum AuthMode {
        /** No password checks at all: any password (or none) is accepted. */
        TRUST,
        /** TCP connections need the role's password (scram-sha-256). */
        SCRAM
    }

    public static final String SUPERUSER = "postgres";
    public static final String SUPERUSER_PASSWORD = "postgres";
    public static final String HOST = "127.0.0.1";

    private static PostgresCluster shared;
    private static PostgresCluster sharedWithPasswords;

    private final AuthMode authMode;
    private final String listenAddresses;
    private final Path baseDir;
    private final Path dataDir;
    private final Path socketDir;
    private final Path logFile;
    private final boolean asPostgresUser;
    private volatile int port;
    private volatile boolean running;

    private PostgresCluster(Builder b) {
        this.authMode = b.authMode;
        this.listenAddresses = b.listenAddresses;
        this.asPostgresUser = "root".equals(System.getProperty("user.name"));
        try {
            this.baseDir = Files.createTempDirectory("runbook-pg");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.dataDir = baseDir.resolve("data");
        this.socketDir = baseDir.resolve("sock");
        this.logFile = baseDir.resolve("postgres.log");
    }

    // ------------------------------------------------------------------ lifecycle

    /** One trust-auth cluster per JVM, started on first use. */
    public static synchronized PostgresCluster shared() {
        if (shared == null) {
            shared = builder().authMode(AuthMode.TRUST).start();
            shared.stopOnShutdown();
        }
        return shared;
    }

    /** One cluster per JVM whose TCP connections check passwords (SCRAM), started on first use. */
    public static synchronized PostgresCluster sharedWithPasswords() {
        if (sharedWithPasswords == null) {
            sharedWithPasswords = builder().authMode(AuthMode.SCRAM).start();
            sharedWithPasswords.stopOnShutdown();
        }
        return sharedWithPasswords;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for a private cluster. */
    public static final class Builder {
        private AuthMode authMode = AuthMode.TRUST;
        private String listenAddresses = HOST;

        public Builder authMode(AuthMode mode) {
            this.authMode = mode;
            return this;
        }

        /**
         * Addresses to listen on (postgres {@code listen_addresses}); default 127.0.0.1.
         * Use {@code "*"} when containers must reach the cluster (e.g. via the docker0
         * gateway); host lines for all addresses are then added with the same auth mode.
         */
        public Builder listenAddresses(String addresses) {
            this.listenAddresses = addresses;
            return this;
        }

        /** Initialises and starts the cluster; the caller owns it and must stop it. */
        public PostgresCluster start() {
            PostgresCluster c = new PostgresCluster(this);
            try {
                c.initAndStart();
            } catch (RuntimeException e) {
                c.stop();
                throw e;
            }
            return c;
        }
    }

    private void initAndStart() {
        try {
            Files.createDirectories(socketDir);
            Path pwFile = baseDir.resolve("pwfile");
            Files.writeString(pwFile, SUPERUSER_PASSWORD + "\n");
            if (asPostgresUser) {
                chownToPostgres(baseDir);
            }
            String hostAuth = authMode == AuthMode.SCRAM ? "scram-sha-256" : "trust";
            pg(List.of(HostTools.pgTool("initdb"), "-D", dataDir.toString(), "-U", SUPERUSER,
                    "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=" + hostAuth,
                    "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"), Duration.ofSeconds(60)).orThrow();
            Files.delete(pwFile);
            if (!HOST.equals(listenAddresses)) {
                Files.writeString(dataDir.resolve("pg_hba.conf"),
                        "\nhost all all 0.0.0.0/0 " + hostAuth + "\nhost all all ::/0 " + hostAuth + "\n",
                        java.nio.file.StandardOpenOption.APPEND);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A port picked as free may be taken before postgres binds it: retry a few times.
        RuntimeException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            int candidate = freePort();
            Exec.Result r = pg(List.of(HostTools.pgTool("pg_ctl"), "-D", dataDir.toString(), "-l", logFile.toString(),
                    "-w", "-t", "60", "-o", serverOptions(candidate), "start"), Duration.ofSeconds(90));
            if (r.ok()) {
                port = candidate;
                running = true;
                return;
            }
            last = new IllegalStateException("pg_ctl start failed: " + r.stdout() + r.stderr() + "\nlog:\n" + log());
        }
        throw last;
    }

    private String serverOptions(int p) {
        // Durability is pointless for a throwaway cluster: fsync etc. off for speed.
        return "-p " + p + " -k " + socketDir + " -c listen_addresses='" + listenAddresses + "'"
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200";
    }

    /** Stops the server (fast shutdown) and deletes its directory. Safe to call twice. */
    public synchronized void stop() {
        if (running) {
            pg(List.of(HostTools.pgTool("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "30", "stop"),
                    Duration.ofSeconds(60));
            running = false;
        }
        deleteTree(baseDir);
    }

    @Override
    public void close() {
        stop();
    }

    private void stopOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "postgres-cluster-stop"));
    }

    // ------------------------------------------------------------------ connection facts

    public String host() {
        return HOST;
    }

    public int port() {
        return port;
    }

    public String superuser() {
        return SUPERUSER;
    }

    public String superuserPassword() {
        return SUPERUSER_PASSWORD;
    }

    public AuthMode authMode() {
        return authMode;
    }

    /** Directory of the server's Unix socket (trust auth for every role). */
    public Path socketDir() {
        return socketDir;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    /** The server log, for failure messages. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile) : "";
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e.getMessage() + ")";
        }
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + database;
    }

    /**
     * libpq environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) to run
     * {@code psql}/{@code pg_dump}/{@code pg_restore} against this cluster over TCP as the superuser.
     */
    public Map<String, String> clientEnv(String database) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", HOST);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGUSER", SUPERUSER);
        env.put("PGPASSWORD", SUPERUSER_PASSWORD);
        env.put("PGDATABASE", database);
        return env;
    }

    // ------------------------------------------------------------------ SQL helpers

    /** A new JDBC connection as the superuser; the caller closes it. */
    public Connection connect(String database) throws SQLException {
        return connect(database, SUPERUSER, SUPERUSER_PASSWORD);
    }

    public Connection connect(String database, String user, String password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("connectTimeout", "10");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    public void createDatabase(String name) {
        execute("postgres", "CREATE DATABASE " + ident(name));
    }

    /** Drops the database if present, disconnecting its sessions. */
    public void dropDatabase(String name) {
        execute("postgres", "DROP DATABASE IF EXISTS " + ident(name) + " WITH (FORCE)");
    }

    /**
     * Creates a login role with a password (stored as SCRAM). Passwords are only checked
     * on a {@link AuthMode#SCRAM} cluster; a {@link AuthMode#TRUST} cluster accepts any.
     */
    public void createRole(String name, String password) {
        execute("postgres", "CREATE ROLE " + ident(name) + " LOGIN PASSWORD " + literal(password));
    }

    public void setPassword(String role, String password) {
        execute("postgres", "ALTER ROLE " + ident(role) + " PASSWORD " + literal(password));
    }

    /** Runs one or more statements (separated by ';') in the database, as the superuser. */
    public void execute(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("SQL failed in " + database + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** First column of the first row as a long (e.g. {@code SELECT count(*) ...}). */
    public long queryLong(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row from: " + sql);
            }
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException("query failed in " + database + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** First column of the first row as text, or null when there is no row. */
    public String queryString(String database, String sql) {
        try (Connection c = connect(database); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("query failed in " + database + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public static String literal(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    // ------------------------------------------------------------------ internals

    /** Runs a PostgreSQL server tool, as the postgres user when this JVM is root. */
    private Exec.Result pg(List<String> command, Duration timeout) {
        List<String> cmd = new ArrayList<>();
        if (asPostgresUser) {
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(command);
        // LC_ALL: a consistent locale whatever the caller's environment says.
        return Exec.run(cmd, Map.of("LC_ALL", "C.UTF-8"), baseDir, timeout);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void chownToPostgres(Path root) throws IOException {
        UserPrincipalLookupService lookup = root.getFileSystem().getUserPrincipalLookupService();
        UserPrincipal user = lookup.lookupPrincipalByName("postgres");
        GroupPrincipal group = lookup.lookupPrincipalByGroupName("postgres");
        try (var paths = Files.walk(root)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
                view.setOwner(user);
                view.setGroup(group);
            }
        }
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // best effort: a leftover temp directory is harmless
        }
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + authMode + " " + HOST + ":" + port + " " + baseDir + "]";
    }
}
