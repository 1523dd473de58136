package dev.runbook.model;

/**
 * A check that must hold before the runbook may change anything, e.g. "the backup to
 * restore is younger than 26 h". Evaluated in the plan where its inputs are known, and in
 * the run as soon as the steps it reads have finished.
 *
 * @param check   a boolean expression
 * @param message what to tell the operator when it does not hold
 */
public record Precondition(String check, String message, Location location) {
}
