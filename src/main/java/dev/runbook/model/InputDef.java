package dev.runbook.model;

import dev.runbook.spi.ParamType;

/**
 * A declared runbook input.
 *
 * @param defaultValue a literal or an expression over {@code env} (e.g. {@code ${{ env.BACKUP_BUCKET }}}), or null
 */
public record InputDef(String name, ParamType type, boolean required, Object defaultValue,
                       String description, Location location) {
}
