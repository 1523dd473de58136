package dev.runbook.executors.postgres;

import dev.runbook.spi.BadParameterException;

import org.postgresql.core.Utils;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The few catalog queries the actions share. */
final class Sql {

    /** Ordinary tables a user made: not in system schemas, not temporary. */
    private static final String USER_TABLES = """
            SELECT n.nspname, c.relname, has_table_privilege(c.oid, 'SELECT')
              FROM pg_catalog.pg_class c
              JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
             WHERE c.relkind = 'r'
               AND n.nspname NOT IN ('pg_catalog', 'information_schema')
               AND n.nspname NOT LIKE 'pg\\_toast%'
               AND n.nspname NOT LIKE 'pg\\_temp\\_%'
             ORDER BY 1, 2""";

    private Sql() {
    }

    /** A quoted identifier, via the driver's own escaping. */
    static String ident(String name) {
        try {
            return Utils.escapeIdentifier(null, name).toString();
        } catch (SQLException e) {
            throw new BadParameterException("invalid identifier '" + name + "': " + e.getMessage(), e);
        }
    }

    /** The schema-qualified tables a user made, {@code schema.table}. */
    static List<Table> userTables(Connection c) throws SQLException {
        List<Table> out = new ArrayList<>();
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(USER_TABLES)) {
            while (rs.next()) {
                out.add(new Table(rs.getString(1), rs.getString(2), rs.getBoolean(3)));
            }
        }
        return out;
    }

    /**
     * Exact row count of every user table ({@code count(*) FROM ONLY}, so inheritance and
     * partition children are each counted once). Tables the role may not read are left out.
     */
    static Map<String, Long> rowCounts(Connection c, List<Table> tables) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            for (Table t : tables) {
                if (!t.readable()) {
                    continue;
                }
                try (ResultSet rs = st.executeQuery("SELECT count(*) FROM ONLY " + ident(t.schema()) + "." + ident(t.name()))) {
                    rs.next();
                    counts.put(t.qualified(), rs.getLong(1));
                }
            }
        }
        return counts;
    }

    /** The database's size on disk: the size hint for the upload's part size. */
    static long databaseSize(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_database_size(pg_catalog.current_database())")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String serverVersion(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean databaseExists(Connection maintenance, String name) throws SQLException {
        try (PreparedStatement ps = maintenance.prepareStatement("SELECT 1 FROM pg_catalog.pg_database WHERE datname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Owner, encoding and locale of a database, so a clean restore can recreate it alike. */
    static Optional<DatabaseShape> shapeOf(Connection maintenance, String name) throws SQLException {
        try (PreparedStatement ps = maintenance.prepareStatement("""
                SELECT pg_catalog.pg_get_userbyid(d.datdba), pg_catalog.pg_encoding_to_char(d.encoding),
                       d.datcollate, d.datctype
                  FROM pg_catalog.pg_database d WHERE d.datname = ?""")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new DatabaseShape(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
            }
        }
    }

    /** The first line of a driver error, without the driver's "ERROR:" decoration. */
    static String message(SQLException e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return (nl > 0 ? m.substring(0, nl) : m).replaceFirst("^(ERROR|FATAL): ", "");
    }

    record Table(String schema, String name, boolean readable) {
        String qualified() {
            return schema + "." + name;
        }
    }

    record DatabaseShape(String owner, String encoding, String collate, String ctype) {
        String createOptions() {
            return " TEMPLATE template0 OWNER " + ident(owner) + " ENCODING '" + literal(encoding)
                    + "' LC_COLLATE '" + literal(collate) + "' LC_CTYPE '" + literal(ctype) + "'";
        }
    }

    static String literal(String s) {
        return s.replace("'", "''");
    }
}
