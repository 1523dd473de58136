package dev.runbook.storage;

import dev.runbook.spi.Deferred;
import dev.runbook.spi.Params;

import java.util.ArrayList;
import java.util.List;

/**
 * Names the storage a step's parameters point at, for the plan: "S3 bucket acme, key prefix
 * postgres/" or "local directory /var/backups/postgres". Pure: nothing is opened.
 */
public final class Touched {

    private Touched() {
    }

    /** One line per given parameter: an {@code s3://} or {@code file://} location, a local path, or a run-time value. */
    public static List<String> locations(Params params, java.nio.file.Path runbookDir, String... names) {
        List<String> out = new ArrayList<>();
        for (String name : names) {
            Object v = params.asMap().get(name);
            if (v instanceof Deferred d) {
                out.add("the location in `" + name + "`: " + d);
            } else if (v instanceof String s && (s.startsWith("s3://") || s.startsWith("file:"))) {
                out.add(describe(s, params) + " (" + name + ")");
            } else if (v instanceof String s && !s.isBlank()) {
                out.add("local path " + runbookDir.resolve(s).normalize() + " (" + name + ")");
            }
        }
        return out;
    }

    private static String describe(String text, Params params) {
        StorageUri uri;
        try {
            uri = StorageUri.parse(text);
        } catch (IllegalArgumentException e) {
            return "storage location " + text;
        }
        if (uri.scheme().equals("file")) {
            return "local directory " + uri.root();
        }
        String endpoint = params.has("endpoint") ? ", endpoint " + params.display("endpoint") : "";
        return "S3 bucket " + uri.root() + ", key " + (uri.key().isEmpty() ? "(whole bucket)" : "prefix " + uri.key()) + endpoint;
    }
}
