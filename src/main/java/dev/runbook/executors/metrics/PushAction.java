package dev.runbook.executors.metrics;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code metrics.push}: a run's result as Prometheus gauges ({@code runbook_<job>_*}, label
 * {@code database}), written to a node-exporter textfile directory and/or pushed to a
 * Pushgateway. Meant for a {@code finally:} step, once with {@code success: true} and the
 * run's figures, once with {@code success: false}: a failed run updates only the failure time
 * and result, so the last success time stays what alerts compare against.
 */
public final class PushAction implements Action {

    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9_]*");

    @Override
    public String name() {
        return "push";
    }

    @Override
    public String summary() {
        return "Write Prometheus metrics about this run to a textfile directory and/or a Pushgateway";
    }

    @Override
    public List<ParamSpec> params() {
        return List.of(
                ParamSpec.required("job", ParamType.STRING, "what ran: backup, prune or drill (the metric names' middle part)")
                        .matching(WORD.pattern(), "a lower-case metric name part like backup or drill"),
                ParamSpec.required("database", ParamType.STRING, "the database the run was about (label database, Pushgateway instance)"),
                ParamSpec.required("success", ParamType.BOOL, "whether the run succeeded, e.g. ${{ !failure() }}"),
                ParamSpec.optional("started", ParamType.STRING, null, "when the run started (run.started): gives duration_seconds"),
                ParamSpec.optional("values", ParamType.MAP, Map.of(),
                        "figures of a successful run, name: number (bytes, rows, recovery_seconds, backups_kept...)")
                        .ofValues(ParamSpec.element(ParamType.NUMBER, "a number, or an expression that gives one"))
                        .matching(WORD.pattern(), "a lower-case metric name part like bytes or rows"),
                ParamSpec.optional("pushgateway", ParamType.STRING, null, "Pushgateway base URL, e.g. http://pushgateway:9091"),
                ParamSpec.optional("textfile-dir", ParamType.STRING, null, "node-exporter textfile collector directory"),
                ParamSpec.optional("timeout", ParamType.DURATION, "10s", "how long the push may take"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("metrics", ParamType.INT, "number of metrics written"),
                OutputSpec.of("file", ParamType.STRING, "the textfile written, or empty"));
    }

    @Override
    public String describe(Params params) {
        String job = params.display("job");
        StringBuilder out = new StringBuilder("record runbook_").append(job).append("_* metrics for ")
                .append(params.display("database"));
        if (params.has("pushgateway")) {
            out.append(", pushed to ").append(params.display("pushgateway"));
        }
        if (params.has("textfile-dir")) {
            out.append(", written to ").append(params.display("textfile-dir"));
        }
        return out.toString();
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        String job = params.string("job");
        String database = params.string("database");
        if (!WORD.matcher(job).matches()) {
            throw new StepFailure("job '" + job + "' must be a lower-case word like backup, prune or drill", false, null);
        }
        List<Sample> samples = samples(job, database, params.bool("success", false), started(params.string("started")),
                params.map("values"), Instant.now());
        String gateway = blankToNull(params.string("pushgateway"));
        String dir = blankToNull(params.string("textfile-dir"));
        if (gateway == null && dir == null) {
            ctx.log().info("no pushgateway and no textfile-dir given: no metrics recorded");
            return Outputs.none().put("metrics", 0L).put("file", "");
        }
        String file = "";
        if (dir != null) {
            Path written = Textfile.write(Path.of(dir), job, database, samples);
            file = written.toString();
            ctx.log().info("wrote " + samples.size() + " metrics to " + written);
        }
        if (gateway != null) {
            push(gateway, job, database, samples, params.duration("timeout", Duration.ofSeconds(10)), ctx);
        }
        return Outputs.none().put("metrics", (long) samples.size()).put("file", file);
    }

    /** The gauges of one run; a failed run carries no figures, so the last good ones stay. */
    static List<Sample> samples(String job, String database, boolean success, Instant started, Map<String, Object> values,
                                Instant now) throws StepFailure {
        String p = "runbook_" + job + "_";
        double nowSeconds = now.toEpochMilli() / 1000.0;
        List<Sample> out = new ArrayList<>();
        out.add(new Sample(p + "last_run_timestamp_seconds", "when the last " + job + " run ended", database, nowSeconds));
        out.add(new Sample(p + "last_run_success", "1 if the last " + job + " run succeeded, else 0", database, success ? 1 : 0));
        if (!success) {
            out.add(new Sample(p + "last_failure_timestamp_seconds", "when a " + job + " run last failed", database, nowSeconds));
            return out;
        }
        out.add(new Sample(p + "last_success_timestamp_seconds", "when a " + job + " run last succeeded", database, nowSeconds));
        if (started != null) {
            out.add(new Sample(p + "duration_seconds", "how long the last successful " + job + " run took", database,
                    Duration.between(started, now).toMillis() / 1000.0));
        }
        for (Map.Entry<String, Object> e : values.entrySet()) {
            if (!WORD.matcher(e.getKey()).matches()) {
                throw new StepFailure("values: '" + e.getKey() + "' must be a lower-case metric name part like bytes or rows",
                        false, null);
            }
            out.add(new Sample(p + e.getKey(), e.getKey().replace('_', ' ') + " of the last successful " + job + " run",
                    database, number(e.getKey(), e.getValue())));
        }
        return out;
    }

    private static double number(String name, Object value) throws StepFailure {
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return Double.parseDouble(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
            throw new StepFailure("values." + name + ": '" + value + "' is not a number", false, e);
        }
    }

    private static Instant started(String text) throws StepFailure {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new StepFailure("started: '" + text + "' is not a time like 2026-11-25T02:00:00Z", false, e);
        }
    }

    private static void push(String gateway, String job, String database, List<Sample> samples, Duration timeout,
                             StepContext ctx) throws StepFailure, InterruptedException {
        URI group;
        try {
            group = Pushgateway.groupUri(gateway, job, database);
        } catch (IllegalArgumentException e) {
            throw new StepFailure("pushgateway '" + gateway + "' is not a URL", false, e);
        }
        int status;
        try {
            status = Pushgateway.push(group, samples, timeout);
        } catch (IOException e) {
            throw new StepFailure("cannot push metrics to " + gateway + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()), e);
        }
        if (status / 100 != 2) {
            throw new StepFailure("the Pushgateway at " + gateway + " answered HTTP " + status + " to the metrics push", status >= 500, null);
        }
        ctx.log().info("pushed " + samples.size() + " metrics to " + group);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
