package dev.runbook.executors.postgres;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code postgres.verify}: checks that a database holds data. It always counts user tables
 * (outside pg_catalog and information_schema) and fails on zero, which the old
 * {@code SELECT count(*) FROM information_schema.tables} check could never do. With
 * {@code manifest:} it also compares every table's exact row count with the one recorded at
 * dump time and lists every difference.
 */
public final class VerifyAction implements Action {

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "Check a restored database: it has tables, and (with manifest) the row counts of the backup";
    }

    @Override
    public List<ParamSpec> params() {
        return PgConnection.withConnection(
                ParamSpec.optional("manifest", ParamType.STRING, null,
                        "URI of a backup's manifest (or of the backup itself) to compare row counts with"),
                ObjectLocation.storageSpec());
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("tables", ParamType.INT, "user tables found"),
                OutputSpec.of("rows", ParamType.INT, "rows in them, counted exactly"),
                OutputSpec.of("mismatches", ParamType.LIST, "differences from the manifest, one line each"));
    }

    @Override
    public String describe(Params params) {
        return "check that " + PgConnection.display(params) + " has user tables"
                + (params.has("manifest") ? " and the exact row counts recorded in " + params.display("manifest") : "");
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        PgConnection conn = PgConnection.from(params, ctx);
        Map<String, Long> expected = params.has("manifest") ? manifestTables(params, ctx) : null;
        Map<String, Long> actual;
        try (Connection c = conn.connect()) {
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            List<Sql.Table> tables = Sql.userTables(c);
            if (tables.isEmpty()) {
                throw new StepFailure(conn.display() + " has no user tables: the restore did not load anything"
                        + " (or went to another database)", null);
            }
            for (Sql.Table t : tables) {
                if (!t.readable()) {
                    ctx.log().warn("cannot read " + t.qualified() + " as " + conn.user() + "; its rows are not counted");
                }
            }
            actual = Sql.rowCounts(c, tables);
            c.rollback();
        } catch (SQLException e) {
            throw new StepFailure("verify on " + conn.display() + " failed: " + Sql.message(e), e);
        }
        long rows = actual.values().stream().mapToLong(Long::longValue).sum();
        List<String> mismatches = new ArrayList<>();
        if (expected != null) {
            for (String table : new TreeSet<>(expected.keySet())) {
                Long want = expected.get(table);
                Long got = actual.get(table);
                if (got == null) {
                    mismatches.add(table + ": missing (backup had " + want + " rows)");
                } else if (!got.equals(want)) {
                    mismatches.add(table + ": " + got + " rows, backup had " + want);
                }
            }
            for (String table : actual.keySet()) {
                if (!expected.containsKey(table)) {
                    ctx.log().info(table + " is not in the manifest (" + actual.get(table) + " rows)");
                }
            }
        }
        ctx.log().info(actual.size() + " tables, " + rows + " rows" + (expected == null ? ""
                : mismatches.isEmpty() ? ", all row counts match the backup" : ", " + mismatches.size() + " mismatch(es)"));
        if (!mismatches.isEmpty()) {
            throw new StepFailure(conn.display() + " differs from the backup in " + mismatches.size() + " table(s): "
                    + String.join("; ", mismatches), false, null);
        }
        return Outputs.none().put("tables", (long) actual.size()).put("rows", rows).put("mismatches", mismatches);
    }

    private static Map<String, Long> manifestTables(Params params, StepContext ctx) throws StepFailure {
        String uri = params.string("manifest");
        ObjectLocation loc = ObjectLocation.parse(uri);
        if (!loc.key().endsWith(BackupKeys.MANIFEST_SUFFIX)) {
            loc = loc.sibling(BackupKeys.manifestKey(loc.key()));
        }
        try (ObjectStore store = loc.open(params.map("storage"), ctx.env()); InputStream in = store.open(loc.key())) {
            Manifest m = Manifest.fromJson(in.readAllBytes());
            if (m.tables() == null) {
                throw new StepFailure("the manifest " + loc.uri() + " has no row counts (the dump ran with row-counts: false"
                        + " or could not count); verify without manifest", false, null);
            }
            if (Boolean.FALSE.equals(m.tablesSnapshot())) {
                ctx.log().warn("the manifest's row counts were taken just after the dump, not in its snapshot;"
                        + " writes during the dump can show up as mismatches");
            }
            return m.tables();
        } catch (IOException e) {
            throw new StepFailure("cannot read the manifest " + loc.uri() + ": " + e.getMessage(), false, e);
        }
    }
}
