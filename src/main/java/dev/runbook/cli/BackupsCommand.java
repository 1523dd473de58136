package dev.runbook.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.runbook.backups.Catalog;
import dev.runbook.backups.CatalogEntry;
import dev.runbook.spi.Durations;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code runbook backups LOCATION}: the backup catalog, newest first, and whether the newest is fresh enough. */
@Command(name = "backups", mixinStandardHelpOptions = true,
        description = "List the backups under a location, newest first: age, size, format, checksum, storage class, last drill.",
        footer = "%nExit codes: 0 listed; 6 with --max-age: the newest backup is older, or there is none;"
                + " 1 the location could not be read; 2 bad arguments.")
final class BackupsCommand implements Callable<Integer> {

    enum Format { text, json }

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Cli cli;

    @Parameters(index = "0", arity = "0..1", paramLabel = "LOCATION",
            description = "s3://bucket/postgres/ or file:///var/backups/postgres/; default s3://$BACKUP_BUCKET/postgres/")
    String location;

    @Option(names = "--name", paramLabel = "NAME", description = "only backups of exactly this name (<name>_<timestamp>.sql...)")
    String name;

    @Option(names = "--max-age", paramLabel = "DURATION", description = "warn and exit 6 when the newest backup is older (the RPO), e.g. 26h")
    String maxAge;

    @Option(names = "--format", defaultValue = "text", description = "text or json")
    Format format;

    @Option(names = "--endpoint", paramLabel = "URL", description = "S3-compatible endpoint; default AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS")
    String endpoint;

    @Option(names = "--region", paramLabel = "REGION", description = "AWS region; default AWS_REGION, else us-east-1")
    String region;

    BackupsCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        StorageUri uri = where();
        Duration rpo = null;
        if (maxAge != null) {
            rpo = Durations.parse(maxAge).orElseThrow(() -> new CliException(ExitCodes.INVALID,
                    "runbook backups: --max-age '" + maxAge + "' is not a duration like 26h or 2d"));
        }
        if (uri.scheme().equals("file") && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(uri.root()))) {
            throw new CliException(ExitCodes.STEP_FAILED, "runbook backups: " + uri.root() + " is not a directory"
                    + " (a file:// location names the directory the backups are in)");
        }
        StorageUri root = new StorageUri(uri.scheme(), uri.root(), "");
        Map<String, String> options = new HashMap<>();
        if (endpoint != null) {
            options.put("endpoint", endpoint);
        }
        if (region != null) {
            options.put("region", region);
        }
        Catalog catalog;
        try (ObjectStore store = ObjectStores.open(root, options, cli.env())) {
            catalog = Catalog.load(store, uri.key(), name, root::child);
        } catch (IOException | RuntimeException e) {
            throw new CliException(ExitCodes.STEP_FAILED, "runbook backups: cannot read " + uri + ": " + e.getMessage());
        }
        Instant now = Instant.now();
        boolean stale = rpo != null && catalog.stale(rpo, now);
        if (format == Format.json) {
            json(uri, catalog, rpo, stale, now);
        } else {
            text(uri, catalog, rpo, stale, now);
        }
        cli.out().flush();
        return stale ? ExitCodes.BACKUP_TOO_OLD : ExitCodes.OK;
    }

    private StorageUri where() {
        String text = location;
        if (text == null || text.isBlank()) {
            String bucket = cli.env().get("BACKUP_BUCKET");
            if (bucket == null || bucket.isBlank()) {
                throw new CliException(ExitCodes.INVALID, "runbook backups: give a LOCATION (s3://bucket/postgres/ or"
                        + " file:///var/backups/postgres/) or set BACKUP_BUCKET");
            }
            text = "s3://" + bucket + "/postgres/";
        }
        try {
            return StorageUri.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CliException(ExitCodes.INVALID, "runbook backups: " + e.getMessage());
        }
    }

    private void text(StorageUri uri, Catalog catalog, Duration rpo, boolean stale, Instant now) {
        var out = cli.out();
        if (catalog.entries().isEmpty()) {
            out.println("No backups under " + uri + " (" + catalog.listed() + " objects listed)");
        } else {
            out.println("Backups under " + uri + ": " + catalog.entries().size() + ", newest first");
            String row = "%-20s  %-8s  %-10s  %-16s  %-6s  %-11s  %-10s  %-18s  %-30s  %s%n";
            out.printf(Locale.ROOT, row, "TAKEN (UTC)", "AGE", "SIZE", "NAME", "FORMAT", "COMPRESSION", "ENCRYPTION",
                    "SHA-256", "STORAGE", "LAST DRILL");
            for (CatalogEntry e : catalog.entries()) {
                out.printf(Locale.ROOT, row, WHEN.format(e.timestamp()), age(Duration.between(e.timestamp(), now)),
                        dev.runbook.spi.ByteSizes.human(e.size()), e.backup().database(), e.backup().format(), e.backup().compression(),
                        e.backup().encryption(), checksum(e), e.storageState(), drill(e));
            }
        }
        if (!catalog.scan().ignoredNote().isEmpty()) {
            out.println(catalog.scan().ignoredNote());
        }
        if (stale && catalog.entries().isEmpty()) {
            out.println("WARNING: no backup at all under " + uri + " (--max-age " + maxAge + ")");
        } else if (stale) {
            for (CatalogEntry n : catalog.staleNewest(rpo, now)) {
                out.println("WARNING: the newest " + n.backup().database() + " backup is " + age(Duration.between(n.timestamp(), now))
                        + " old, older than --max-age " + maxAge + ": the nightly backup is not running");
            }
        }
    }

    private static String checksum(CatalogEntry e) {
        if (e.sha256() == null) {
            return e.manifestProblem() != null ? "manifest unreadable" : "none (no manifest)";
        }
        return e.sha256Verified() ? "recorded, verified" : "recorded";
    }

    private static String drill(CatalogEntry e) {
        if (e.drill() == null) {
            return "never";
        }
        String at = e.drill().at() == null ? "" : " " + e.drill().at().substring(0, Math.min(10, e.drill().at().length()));
        String rto = e.drill().recoveryMs() == null ? "" : ", recovered in " + Durations.format(Duration.ofMillis(e.drill().recoveryMs()));
        return e.drill().result() + at + rto;
    }

    /** Ages as people read them in a list: 3y 12d, 5d 4h, 7h 12m, 42m. */
    static String age(Duration d) {
        if (d.isNegative()) {
            return "future";
        }
        long days = d.toDays();
        if (days >= 365) {
            return days / 365 + "y " + days % 365 + "d";
        }
        if (days > 0) {
            return days + "d " + d.toHoursPart() + "h";
        }
        if (d.toHours() > 0) {
            return d.toHours() + "h " + d.toMinutesPart() + "m";
        }
        return d.toMinutes() + "m";
    }

    private void json(StorageUri uri, Catalog catalog, Duration rpo, boolean stale, Instant now) throws IOException {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("location", uri.toString());
        doc.put("count", catalog.entries().size());
        doc.put("newest", catalog.newest().map(CatalogEntry::uri).orElse(null));
        doc.put("newest_age_seconds", catalog.newest().map(n -> Duration.between(n.timestamp(), now).toSeconds()).orElse(null));
        doc.put("max_age_seconds", rpo == null ? null : rpo.toSeconds());
        doc.put("stale", stale);
        doc.put("ignored_other_names", catalog.scan().otherNames());
        doc.put("ignored_unparsed", catalog.scan().unparsed());
        doc.put("backups", catalog.asMaps(now));
        cli.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
    }
}
