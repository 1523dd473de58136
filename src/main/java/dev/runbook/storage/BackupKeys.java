package dev.runbook.storage;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backup key layout shared by the dump, latest and restore actions, compatible with the
 * team's manual procedure: {@code postgres/postgres_<timestamp>.sql}, timestamp in UTC and
 * sortable ({@code 20261125T020000Z}). Custom-format dumps end in {@code .dump}; compressed
 * ones add {@code .gz} or {@code .zst}; encrypted ones (age) end in {@code .age}. The manifest sits beside: {@code <key>.manifest.json}.
 */
public final class BackupKeys {

    public static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    public static final String MANIFEST_SUFFIX = ".manifest.json";

    // name_<ts>.<ext>[.gz|.zst][.age]; also accepts the looser timestamps of hand-made backups
    private static final Pattern KEY = Pattern.compile(
            "(?<name>[^/]*?)_(?<ts>\\d{8}T?\\d{4,6}Z?)\\.(?<ext>sql|dump)(?:\\.(?<comp>gz|zst))?(?:\\.age)?$");

    private BackupKeys() {
    }

    /** {@code prefix + database + "_" + timestamp + extension}, e.g. postgres/postgres_20261125T020000Z.sql.gz */
    public static String key(String prefix, String database, Instant when, String format, String compression) {
        return key(prefix, database, when, format, compression, false);
    }

    /** As above, with {@code .age} appended when the stored bytes are encrypted with age. */
    public static String key(String prefix, String database, Instant when, String format, String compression,
                             boolean encrypted) {
        String ext = "custom".equals(format) ? ".dump" : ".sql";
        String comp = switch (compression == null ? "none" : compression) {
            case "gzip" -> ".gz";
            case "zstd" -> ".zst";
            default -> "";
        };
        return prefix + database + "_" + TIMESTAMP.format(when) + ext + comp + (encrypted ? ".age" : "");
    }

    public static String manifestKey(String backupKey) {
        return backupKey + MANIFEST_SUFFIX;
    }

    /** A backup key parsed back into its parts, or empty for anything else (manifests, strays). */
    public static Optional<Parsed> parse(String key) {
        String file = key.substring(key.lastIndexOf('/') + 1);
        Matcher m = KEY.matcher(file);
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<Instant> ts = parseTimestamp(m.group("ts"));
        if (ts.isEmpty()) {
            return Optional.empty();
        }
        String comp = m.group("comp") == null ? "none" : m.group("comp").equals("gz") ? "gzip" : "zstd";
        return Optional.of(new Parsed(key, m.group("name"), ts.get(),
                m.group("ext").equals("dump") ? "custom" : "plain", comp));
    }

    static Optional<Instant> parseTimestamp(String ts) {
        String digits = ts.replace("T", "").replace("Z", "");
        try {
            String full = digits.length() == 12 ? digits + "00" : digits;
            return Optional.of(DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC)
                    .parse(full, Instant::from));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** @param format plain or custom; @param compression none, gzip or zstd */
    public record Parsed(String key, String database, Instant timestamp, String format, String compression) {
    }
}
