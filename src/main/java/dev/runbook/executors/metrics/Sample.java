package dev.runbook.executors.metrics;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One gauge in Prometheus' text exposition format, labelled with the database it is about.
 *
 * @param name     full metric name, e.g. {@code runbook_backup_last_success_timestamp_seconds}
 * @param help     the HELP line
 * @param database value of the {@code database} label
 */
record Sample(String name, String help, String database, double value) {

    static final Pattern NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    Sample {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("'" + name + "' is not a Prometheus metric name");
        }
    }

    /** HELP, TYPE and the sample line. */
    String render() {
        return "# HELP " + name + " " + help.replace("\\", "\\\\").replace("\n", "\\n") + "\n"
                + "# TYPE " + name + " gauge\n"
                + name + "{database=\"" + escape(database) + "\"} " + number(value) + "\n";
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%s", v);
    }
}
