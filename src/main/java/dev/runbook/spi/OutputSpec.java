package dev.runbook.spi;

/**
 * A declared output of an action, referenced as {@code steps.<id>.outputs.<name>}.
 *
 * @param sensitive true when the output holds a secret; it is then masked everywhere and never
 *                  written to the journal in clear (resume re-runs nothing to get it back: a step
 *                  with secret outputs is re-run on resume).
 */
public record OutputSpec(String name, ParamType type, String description, boolean sensitive) {

    public static OutputSpec of(String name, ParamType type, String description) {
        return new OutputSpec(name, type, description, false);
    }
}
