package dev.runbook.executors.postgres;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The pg_dump version a dump names in its header (plain: a comment; custom: pg_restore --list). */
final class DumpHeader {

    /** Plain: {@code -- Dumped by pg_dump version 15.18 (Debian ...)}; list: {@code ; Dumped by pg_dump version: 15.18}. */
    private static final Pattern DUMPED_BY = Pattern.compile("Dumped by pg_dump version:?\\s+(\\d+(?:\\.\\d+)?)");

    private DumpHeader() {
    }

    static Optional<String> pgDumpVersion(String text) {
        Matcher m = DUMPED_BY.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    static Optional<String> pgDumpVersion(byte[] head) {
        return pgDumpVersion(new String(head, StandardCharsets.UTF_8));
    }
}
