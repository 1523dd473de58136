package dev.runbook.model;

/**
 * One thing wrong with a runbook, as a value: where, which step and field, what, and a hint.
 *
 * @param step  the step id, or null for runbook-level problems
 * @param field the field path inside the step or runbook (e.g. {@code with.bucket}), or null
 * @param hint  a suggestion such as "did you mean `needs`?", or null
 */
public record Problem(Location location, String step, String field, String message, String hint) {

    public static Problem at(Location location, String message) {
        return new Problem(location, null, null, message, null);
    }

    public Problem withHint(String newHint) {
        return new Problem(location, step, field, message, newHint);
    }

    /** {@code restore.yaml:12:7: step 'load', field 'with.bucket': message (hint)} */
    public String format() {
        StringBuilder out = new StringBuilder(location.toString()).append(": ");
        if (step != null) {
            out.append("step '").append(step).append("'");
            out.append(field != null ? ", field '" + field + "': " : ": ");
        } else if (field != null) {
            out.append("field '").append(field).append("': ");
        }
        out.append(message);
        if (hint != null) {
            out.append(" (").append(hint).append(")");
        }
        return out.toString();
    }
}
