package dev.runbook.plan;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Scope;
import dev.runbook.model.InputValues;
import dev.runbook.model.InputDef;
import dev.runbook.model.Problem;
import dev.runbook.model.Runbook;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.spi.Secret;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each declared input its value: from {@code --input}/{@code --inputs} (or a calling
 * runbook), else its default (which may read {@code env}), converted to the declared type.
 * Unknown inputs, missing required ones and values of the wrong type are all reported.
 */
public final class InputBinder {

    private InputBinder() {
    }

    /** The inputs, or the problems that stop the run before it starts. */
    public record Bound(Map<String, Object> values, List<Problem> problems) {
    }

    /**
     * @param given values given by the user (strings from the command line, or typed values
     *              from an inputs file or a calling runbook)
     */
    public static Bound bind(ValidRunbook valid, Map<String, Object> given, Map<String, String> env,
                             String runId, Instant started, String target) {
        Runbook rb = valid.runbook();
        List<Problem> problems = new ArrayList<>();
        for (String name : given.keySet()) {
            if (!rb.inputs().containsKey(name)) {
                problems.add(new Problem(rb.location(), null, "inputs", "unknown input '" + name + "'",
                        dev.runbook.model.DidYouMean.hint(name, rb.inputs().keySet()) != null
                                ? dev.runbook.model.DidYouMean.hint(name, rb.inputs().keySet())
                                : "declared inputs: " + String.join(", ", rb.inputs().keySet())));
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Scope envOnly = new Scope(Map.of(), Map.of(), env, runId, started, target);
        for (InputDef def : rb.inputs().values()) {
            Object raw = given.get(def.name());
            if (raw == null && def.defaultValue() != null) {
                try {
                    raw = valid.evaluator().resolve(def.defaultValue(), envOnly);
                } catch (ExpressionException e) {
                    // e.g. env.BACKUP_BUCKET not set: the input counts as not given
                    raw = null;
                }
                if (raw instanceof String s && s.isEmpty() && def.required()) {
                    raw = null;
                }
            }
            if (raw == null) {
                if (def.required()) {
                    problems.add(new Problem(def.location(), null, "inputs." + def.name(),
                            "input '" + def.name() + "' is required" + (def.description() != null ? " (" + def.description() + ")" : ""),
                            "give it with --input " + def.name() + "=..." + defaultHint(def)));
                }
                continue;
            }
            if (raw instanceof dev.runbook.spi.Deferred) {
                values.put(def.name(), raw); // planning a called runbook: known at run time
                continue;
            }
            if (raw instanceof Secret) {
                problems.add(new Problem(def.location(), null, "inputs." + def.name(),
                        "input '" + def.name() + "' received a secret; declare it under secrets: instead", null));
                continue;
            }
            try {
                values.put(def.name(), InputValues.convert(raw, def.type()));
            } catch (IllegalArgumentException e) {
                // located at the declaration, the one place in a file; the message says where the value came from
                boolean wasGiven = given.containsKey(def.name());
                problems.add(new Problem(def.location(), null, "inputs." + def.name(),
                        (wasGiven ? "the value given for input '" : "the default of input '") + def.name() + "' is not valid: "
                                + e.getMessage(),
                        wasGiven ? "correct it with --input " + def.name() + "=..., in the inputs file or in the calling step's with:"
                                : "give a value with --input " + def.name() + "=..."));
            }
        }
        return new Bound(values, problems);
    }

    private static String defaultHint(InputDef def) {
        if (!(def.defaultValue() instanceof String s)) {
            return "";
        }
        java.util.Set<String> vars = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("env\\.([A-Za-z_][A-Za-z0-9_]*)").matcher(s);
        while (m.find()) {
            vars.add(m.group(1));
        }
        return vars.isEmpty() ? "" : " or set " + String.join(" / ", vars);
    }
}
