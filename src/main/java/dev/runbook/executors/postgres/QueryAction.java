package dev.runbook.executors.postgres;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code postgres.query}: runs one SQL statement over JDBC and checks its result.
 * {@code expect:} keys are {@code rows} (number of rows), {@code value} (first column of the
 * first row) or a column name of the first row, e.g. {@code { count: "> 0" }}.
 * Read-only by default (the transaction is READ ONLY); {@code read-only: false} allows writes
 * and marks the step destructive.
 */
public final class QueryAction implements Action {

    @Override
    public String name() {
        return "query";
    }

    @Override
    public String summary() {
        return "Run SQL and check the result (expect: { count: \"> 0\" })";
    }

    @Override
    public List<ParamSpec> params() {
        return PgConnection.withConnection(
                ParamSpec.required("sql", ParamType.STRING, "the statement"),
                ParamSpec.optional("expect", ParamType.MAP, null,
                        "checks: rows, value (first column) or a column name → \"> 0\", \"== 3\" (> >= < <= == !=)")
                        .ofValues(ParamSpec.element(ParamType.STRING, "an operator and a value")
                                .matching("\\s*(>=|<=|==|!=|>|<)\\s*\\S.*", "an operator and a value, like \"> 0\" or \"== 3\"")),
                ParamSpec.optional("read-only", ParamType.BOOL, true, "run in a READ ONLY transaction"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("value", ParamType.ANY, "first column of the first row (null when there is none)"),
                OutputSpec.of("rows", ParamType.INT, "rows returned (or affected)"));
    }

    @Override
    public boolean destructive(Params params) {
        return !params.isDeferred("read-only") && !params.bool("read-only", true);
    }

    @Override
    public String describe(Params params) {
        String sql = params.display("sql").replaceAll("\\s+", " ").trim();
        if (sql.length() > 80) {
            sql = sql.substring(0, 77) + "...";
        }
        String expect = params.has("expect") ? ", expect " + params.display("expect") : "";
        return "run \"" + sql + "\" on " + PgConnection.display(params) + expect;
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        PgConnection conn = PgConnection.from(params, ctx);
        Map<String, Expectation> checks = new LinkedHashMap<>();
        try {
            params.map("expect").forEach((k, v) -> checks.put(k, Expectation.parse(k, String.valueOf(v))));
        } catch (BadParameterException e) {
            throw new StepFailure(e.getMessage(), false, e);
        }
        String sql = params.string("sql");
        long rows = 0;
        Object value = null;
        Map<String, Object> firstRow = new LinkedHashMap<>();
        try (Connection c = conn.connect()) {
            boolean readOnly = params.bool("read-only", true);
            if (readOnly) {
                // the driver only marks explicit transactions READ ONLY, so run in one (BEGIN READ ONLY)
                c.setAutoCommit(false);
                c.setReadOnly(true);
            }
            try (Statement st = c.createStatement()) {
                if (st.execute(sql)) {
                    try (ResultSet rs = st.getResultSet()) {
                        ResultSetMetaData md = rs.getMetaData();
                        while (rs.next()) {
                            if (rows == 0) {
                                for (int i = 1; i <= md.getColumnCount(); i++) {
                                    firstRow.putIfAbsent(md.getColumnLabel(i), plain(rs.getObject(i)));
                                }
                                value = md.getColumnCount() > 0 ? plain(rs.getObject(1)) : null;
                            }
                            rows++;
                        }
                    }
                } else {
                    rows = Math.max(0, st.getUpdateCount());
                }
            }
            if (readOnly) {
                c.rollback(); // nothing to keep: it could not write
            }
        } catch (SQLException e) {
            throw new StepFailure("query on " + conn.display() + " failed: " + Sql.message(e), e);
        }
        List<String> failed = new ArrayList<>();
        for (Map.Entry<String, Expectation> check : checks.entrySet()) {
            Object actual = switch (check.getKey()) {
                case "rows" -> rows;
                case "value" -> value;
                default -> {
                    if (!firstRow.containsKey(check.getKey())) {
                        throw new StepFailure("expect." + check.getKey() + ": the query returns no column named "
                                + check.getKey() + " (columns: " + firstRow.keySet() + "; use rows or value)", false, null);
                    }
                    yield firstRow.get(check.getKey());
                }
            };
            boolean ok;
            try {
                ok = check.getValue().test(actual);
            } catch (BadParameterException e) {
                throw new StepFailure("expect." + check.getKey() + ": " + e.getMessage(), false, e);
            }
            if (!ok) {
                failed.add(check.getKey() + " is " + actual + ", expected " + check.getValue());
            }
        }
        if (!failed.isEmpty()) {
            throw new StepFailure("check failed on " + conn.display() + ": " + String.join("; ", failed), null);
        }
        ctx.log().info(rows + " row(s); value " + value);
        return Outputs.none().put("value", value).put("rows", rows);
    }

    /** Values expressions can use: numbers stay numbers, everything else becomes text. */
    private static Object plain(Object v) {
        if (v == null || v instanceof Boolean || v instanceof Long || v instanceof Integer || v instanceof Short) {
            return v instanceof Number n ? (Object) n.longValue() : v;
        }
        if (v instanceof Double || v instanceof Float) {
            return ((Number) v).doubleValue();
        }
        if (v instanceof java.math.BigDecimal d) {
            return d.scale() <= 0 && d.precision() - d.scale() < 19 ? (Object) d.longValueExact() : d.doubleValue();
        }
        return v.toString();
    }
}
