package dev.runbook.storage;

import dev.runbook.spi.Counts;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backup key layout shared by the dump, latest, catalog, prune and restore actions,
 * compatible with the team's manual procedure: {@code postgres/postgres_<timestamp>.sql},
 * timestamp in UTC and sortable ({@code 20261125T020000Z}).
 *
 * <p>The grammar, parsed exactly: {@code <name>_<timestamp><extension>} where the extension is
 * {@code .sql} (plain) or {@code .dump} (custom), optionally compressed ({@code .gz},
 * {@code .zst}), optionally encrypted ({@code .age}): {@code .sql.zst.age}. The name is
 * everything before the last {@code _<timestamp>}, so {@code postgres_orders_<ts>.sql} belongs
 * to {@code postgres_orders}, never to {@code postgres}. Files beside a backup share its key
 * plus a suffix: the manifest ({@code .manifest.json}) and the drill record
 * ({@code .drill.json}); roles dumped with it are {@code <name>_<timestamp>.globals.sql}.
 */
public final class BackupKeys {

    public static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", java.util.Locale.ROOT).withZone(ZoneOffset.UTC);
    public static final String MANIFEST_SUFFIX = ".manifest.json";
    public static final String DRILL_SUFFIX = ".drill.json";
    private static final String GLOBALS_SUFFIX = ".globals.sql";

    // also accepts the looser timestamps of hand-made backups (20261125T0200, 202611250200)
    private static final Pattern KEY = Pattern.compile(
            "(?<name>[^/]+?)_(?<ts>\\d{8}T?\\d{4,6}Z?)\\.(?<ext>sql|dump)(?:\\.(?<comp>gz|zst))?(?:\\.(?<enc>age))?");
    private static final Pattern GLOBALS = Pattern.compile("[^/]+?_\\d{8}T?\\d{4,6}Z?\\.globals\\.sql");

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

    public static String drillKey(String backupKey) {
        return backupKey + DRILL_SUFFIX;
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
                m.group("ext").equals("dump") ? "custom" : "plain", comp, m.group("enc") == null ? "none" : "age"));
    }

    /** The key parsed, only when it is a backup of exactly this name. */
    public static Optional<Parsed> parse(String key, String name) {
        return parse(key).filter(p -> name == null || p.database().equals(name));
    }

    /**
     * The backup a companion file belongs to ({@code x.sql.manifest.json} → {@code x.sql}), or
     * empty when the key is no companion of a parseable backup key.
     */
    public static Optional<String> companionOf(String key) {
        for (String suffix : List.of(MANIFEST_SUFFIX, DRILL_SUFFIX)) {
            if (key.endsWith(suffix)) {
                String owner = key.substring(0, key.length() - suffix.length());
                return parse(owner).map(Parsed::key);
            }
        }
        return Optional.empty();
    }

    /** Whether the key is the roles dump taken with a backup ({@code <name>_<ts>.globals.sql}). */
    public static boolean isGlobals(String key) {
        return GLOBALS.matcher(key.substring(key.lastIndexOf('/') + 1)).matches();
    }

    /** The roles dump key that goes with a backup key. */
    public static String globalsKey(Parsed backup) {
        String dir = backup.key().substring(0, backup.key().lastIndexOf('/') + 1);
        String file = backup.key().substring(dir.length());
        return dir + file.substring(0, file.indexOf('.', file.lastIndexOf('_'))) + GLOBALS_SUFFIX;
    }

    /**
     * Sorts a listing into the backups of one name (null: any name) and the rest, counting
     * what was left out so callers can say so.
     *
     * @param backups     backups of the name, in listing order
     * @param otherNames  backups of other names sharing the prefix (postgres_orders_... for postgres)
     * @param companions  manifests, drill records, roles dumps
     * @param unparsed    keys that are none of these, e.g. a hand-made postgres_latest.sql
     */
    public record Scan(List<Parsed> backups, int otherNames, int companions, List<String> unparsed) {

        public static Scan of(List<String> keys, String name) {
            List<Parsed> backups = new ArrayList<>();
            List<String> unparsed = new ArrayList<>();
            int others = 0;
            int companions = 0;
            for (String key : keys) {
                Optional<Parsed> parsed = parse(key);
                if (parsed.isPresent()) {
                    if (name == null || parsed.get().database().equals(name)) {
                        backups.add(parsed.get());
                    } else {
                        others++;
                    }
                } else if (companionOf(key).isPresent() || isGlobals(key)) {
                    companions++;
                } else {
                    unparsed.add(key);
                }
            }
            return new Scan(List.copyOf(backups), others, companions, List.copyOf(unparsed));
        }

        /** "" or a sentence for the log, e.g. "ignored 2 backups of other names and 1 key that is not a backup (x.sql)". */
        public String ignoredNote() {
            List<String> parts = new ArrayList<>();
            if (otherNames > 0) {
                parts.add(Counts.of(otherNames, "backup") + " of other names");
            }
            if (!unparsed.isEmpty()) {
                parts.add(Counts.of(unparsed.size(), "key")
                        + " not named <name>_<YYYYMMDDTHHMMSSZ>.sql|.dump[.gz|.zst][.age] (e.g. " + unparsed.get(0) + ")");
            }
            return parts.isEmpty() ? "" : "ignored " + String.join(" and ", parts);
        }
    }

    static Optional<Instant> parseTimestamp(String ts) {
        String digits = ts.replace("T", "").replace("Z", "");
        try {
            String full = digits.length() == 12 ? digits + "00" : digits;
            if (full.length() != 14) {
                return Optional.empty();
            }
            return Optional.of(DateTimeFormatter.ofPattern("uuuuMMddHHmmss", java.util.Locale.ROOT)
                    .withResolverStyle(java.time.format.ResolverStyle.STRICT).withZone(ZoneOffset.UTC)
                    .parse(full, Instant::from));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * @param database    the name before the timestamp (the {@code name} input of backup.yaml)
     * @param format      plain or custom
     * @param compression none, gzip or zstd
     * @param encryption  none or age
     */
    public record Parsed(String key, String database, Instant timestamp, String format, String compression,
                         String encryption) {
    }
}
