package dev.runbook.testsupport;

import java.util.List;

/** What a parser, validator or the JVM would say in its own terms: none of it may reach the user. */
public final class Internals {

    public static final List<String> WORDS = List.of("Exception", "java.", "com.", "org.", "dev.cel", "snakeyaml", "^[", "\\w", "\\d",
            "<block", "<EOF>", "token recognition", "mismatched input", "extraneous input", "no viable alternative", "overload",
            "protobuf", "candidates:", "$defs", "#/", "regex", "pattern ^", "Input length", "found, ", "expected <", "ERROR:",
            // Jackson's and picocli's own words, and Java's rendering of collections
            "Unexpected character", "Unrecognized token", "Cannot deserialize", "(code ", "[Source:", "line: ", "KEY=VALUE",
            "{a=", "null", "end-of-input", "was expecting", "within/between",
            // CEL's names of its types and operators
            "true/false", "_?_", "_+_", "_&&_", "@not_strictly_false", "no arguments");

    private Internals() {
    }

    /** The first internal word the text contains, or null. */
    public static String in(String text) {
        return WORDS.stream().filter(text::contains).findFirst().orElse(null);
    }
}
