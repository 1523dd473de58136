package dev.runbook.parse;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runbook.spi.ParamType;

/** Lets tests outside this package ask how the schema renders one parameter type. */
public final class SchemaGeneratorAccess {

    private SchemaGeneratorAccess() {
    }

    public static void typeOf(ObjectNode node, ParamType type) {
        SchemaGenerator.typeOf(node, type);
    }
}
