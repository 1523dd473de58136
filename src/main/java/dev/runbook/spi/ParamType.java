package dev.runbook.spi;

/** The types a parameter or input can have; the same names are used in runbook {@code inputs:}. */
public enum ParamType {
    STRING, INT, BOOL, DURATION, LIST, MAP, NUMBER, ANY;

    /** The name used in YAML and messages. */
    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The type in the words messages use ("must be a whole number", "expected true or false"). */
    public String words() {
        return switch (this) {
            case STRING -> "text";
            case INT -> "a whole number";
            case NUMBER -> "a number";
            case BOOL -> "true or false";
            case DURATION -> "a duration like 30s or 5m";
            case LIST -> "a list";
            case MAP -> "a mapping";
            case ANY -> "a value";
        };
    }
}
