package dev.runbook.model;

/**
 * Where a secret comes from. Exactly one source is set. Secrets are resolved at the start of
 * every run and resume, never stored.
 *
 * @param env      name of an environment variable
 * @param file     path of a file (relative to the runbook); its content, trailing newline removed
 * @param optional when true a missing source yields no secret instead of an error
 */
public record SecretDef(String name, String env, String file, boolean optional, Location location) {
}
