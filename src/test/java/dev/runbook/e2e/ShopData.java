package dev.runbook.e2e;

import dev.runbook.testsupport.PostgresCluster;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A small "shop" database with the kinds of data a dump must carry: a foreign key, a sequence,
 * NULLs, non-ASCII text, numerics, JSON, bytes and a view. {@link #fingerprint} reduces a
 * database to one hash per table over its rows in key order, so "identical rows" is a string
 * comparison.
 */
final class ShopData {

    static final String[] TABLES = {"customers", "orders"};

    private ShopData() {
    }

    static void create(PostgresCluster pg, String database, int customers) {
        pg.createDatabase(database);
        pg.execute(database, """
                CREATE TABLE customers (id serial PRIMARY KEY, name text NOT NULL, email text, note jsonb,
                                        avatar bytea, created timestamptz NOT NULL DEFAULT '2026-11-25T02:00:00Z');
                CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id int NOT NULL REFERENCES customers,
                                     total numeric(12,2), placed date);
                CREATE VIEW big_spenders AS SELECT customer_id, sum(total) AS spent FROM orders GROUP BY customer_id;
                """);
        pg.execute(database, "INSERT INTO customers (name, email, note, avatar) SELECT "
                + "'client ' || g || ' – Zoë Ødegård ✓', CASE WHEN g % 7 = 0 THEN NULL ELSE 'c' || g || '@example.org' END, "
                + "jsonb_build_object('tier', g % 3, 'tags', jsonb_build_array('a', g)), decode(md5(g::text), 'hex') "
                + "FROM generate_series(1, " + customers + ") g");
        pg.execute(database, "INSERT INTO orders (customer_id, total, placed) SELECT 1 + g % " + customers
                + ", (g * 1.37)::numeric(12,2), DATE '2026-01-01' + (g % 300) FROM generate_series(1, " + (customers * 5) + ") g");
    }

    /** Per table: row count and an md5 over all rows in primary-key order. */
    static Map<String, String> fingerprint(PostgresCluster pg, String database) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String table : TABLES) {
            out.put(table, pg.queryString(database, "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t.id)), '-') FROM "
                    + table + " t"));
        }
        out.put("sequence", pg.queryString(database, "SELECT last_value::text FROM orders_id_seq"));
        return out;
    }

    static long tables(PostgresCluster pg, String database) {
        return pg.queryLong(database, "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'");
    }

    static boolean exists(PostgresCluster pg, String database) {
        return pg.queryLong("postgres", "SELECT count(*) FROM pg_database WHERE datname = " + PostgresCluster.literal(database)) == 1;
    }
}
