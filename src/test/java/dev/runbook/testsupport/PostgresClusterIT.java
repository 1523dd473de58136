package dev.runbook.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PostgresClusterIT {

    @Test
    void createsDatabaseTableAndQueries() {
        PostgresCluster pg = PostgresCluster.shared();
        pg.createDatabase("it_basic");
        try {
            pg.execute("it_basic", "CREATE TABLE t(id int primary key, name text); "
                    + "INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            assertEquals(3, pg.queryLong("it_basic", "SELECT count(*) FROM t"));
            assertEquals("b", pg.queryString("it_basic", "SELECT name FROM t WHERE id = 2"));
            assertTrue(pg.queryString("it_basic", "SELECT version()").contains("PostgreSQL 15"));
        } finally {
            pg.dropDatabase("it_basic");
        }
        assertEquals(0, pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = 'it_basic'"));
    }

    @Test
    void hostClientToolsReachTheCluster() {
        PostgresCluster pg = PostgresCluster.shared();
        pg.createDatabase("it_tools");
        try {
            pg.execute("it_tools", "CREATE TABLE dumped(x int)");
            Exec.Result dump = Exec.run(List.of(HostTools.pgTool("pg_dump"), "--schema-only"),
                    pg.clientEnv("it_tools"), null, Duration.ofSeconds(60)).orThrow();
            assertTrue(dump.stdout().contains("CREATE TABLE public.dumped"), dump.stdout());
        } finally {
            pg.dropDatabase("it_tools");
        }
    }

    @Test
    void scramClusterChecksPasswords() throws SQLException {
        PostgresCluster pg = PostgresCluster.sharedWithPasswords();
        pg.createRole("it_alice", "right'pw");
        pg.createDatabase("it_auth");
        try {
            try (Connection c = pg.connect("it_auth", "it_alice", "right'pw")) {
                assertTrue(c.isValid(5));
            }
            SQLException e = assertThrows(SQLException.class, () -> pg.connect("it_auth", "it_alice", "wrong"));
            assertEquals("28P01", e.getSQLState(), e.getMessage()); // invalid_password
        } finally {
            pg.dropDatabase("it_auth");
            pg.execute("postgres", "DROP ROLE it_alice");
        }
    }

    @Test
    void trustClusterAcceptsAnyPassword() throws SQLException {
        PostgresCluster pg = PostgresCluster.shared();
        pg.createRole("it_bob", "secret");
        try (Connection c = pg.connect("postgres", "it_bob", "not-the-password")) {
            assertTrue(c.isValid(5));
        } finally {
            pg.execute("postgres", "DROP ROLE it_bob");
        }
    }

    @Test
    void privateClusterStopsAndCleansUp() {
        PostgresCluster pg = PostgresCluster.builder().start();
        int port = pg.port();
        assertEquals(1, pg.queryLong("postgres", "SELECT 1"));
        pg.stop();
        assertTrue(!java.nio.file.Files.exists(pg.dataDir()), "data dir removed");
        assertThrows(IllegalStateException.class, () -> pg.queryLong("postgres", "SELECT 1"), "port " + port);
    }
}
