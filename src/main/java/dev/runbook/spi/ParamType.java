package dev.runbook.spi;

/** The types a parameter or input can have; the same names are used in runbook {@code inputs:}. */
public enum ParamType {
    STRING, INT, BOOL, DURATION, LIST, MAP, NUMBER, ANY;

    /** The name used in YAML and messages. */
    public String yamlName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
