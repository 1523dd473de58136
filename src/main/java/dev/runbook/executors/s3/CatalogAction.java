package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;
import dev.runbook.backups.Catalog;
import dev.runbook.backups.CatalogEntry;
import dev.runbook.spi.Action;
import dev.runbook.spi.Counts;
import dev.runbook.spi.Durations;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The backup catalog as step outputs, so a runbook can branch on it (no backup younger than
 * the RPO, the newest never drilled, ...). The same data as {@code runbook backups}.
 */
final class CatalogAction implements Action {

    @Override
    public String name() {
        return "catalog";
    }

    @Override
    public String summary() {
        return "list the backups under a location with their checksums, storage class and last restore drill";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("location", ParamType.STRING,
                        "where backups are: s3://bucket/postgres/ or file:///var/backups/postgres/"),
                ParamSpec.optional("name", ParamType.STRING, null, "only backups of exactly this name; default: every name"),
                ParamSpec.optional("max-age", ParamType.DURATION, null,
                        "the recovery point objective: 'stale' is true when the newest backup is older (or there is none)")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("count", ParamType.INT, "how many backups"),
                OutputSpec.of("backups", ParamType.LIST, "one map per backup, newest first (the fields of `runbook backups --format json`)"),
                OutputSpec.of("newest-uri", ParamType.STRING, "the newest backup's location; empty when there is none"),
                OutputSpec.of("newest-age-seconds", ParamType.INT, "its age by the timestamp in its name; -1 when there is none"),
                OutputSpec.of("stale", ParamType.BOOL, "the newest is older than max-age, or there is no backup (false without max-age and with backups)"),
                OutputSpec.of("drilled", ParamType.INT, "how many backups passed a restore drill"),
                OutputSpec.of("last-drill-result", ParamType.STRING, "passed or failed: the newest backup with a drill record; empty when none"),
                OutputSpec.of("archived", ParamType.INT, "how many are in GLACIER or DEEP_ARCHIVE"));
    }

    @Override
    public String describe(Params params) {
        return "read the backup catalog of " + params.display("location")
                + (params.has("name") && !params.display("name").isBlank() ? " (name " + params.display("name") + ")" : "")
                + (params.has("max-age") ? ", stale when the newest is older than " + params.display("max-age") : "")
                + StoreParams.endpointNote(params);
    }

    @Override
    public Optional<String> probe(Params params, StepContext context) throws Exception {
        Catalog catalog = load(params, context);
        return Optional.of(Counts.of(catalog.entries().size(), "backup") + catalog.newest()
                .map(n -> ", newest " + n.uri() + " (" + Durations.format(Duration.between(n.timestamp(), Instant.now())) + " old)")
                .orElse(""));
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Catalog catalog = load(params, context);
        Instant now = Instant.now();
        Optional<CatalogEntry> newest = catalog.newest();
        boolean stale = params.has("max-age") ? catalog.stale(params.duration("max-age", null), now) : newest.isEmpty();
        context.log().info(Counts.of(catalog.entries().size(), "backup") + " under " + params.display("location")
                + newest.map(n -> ", newest " + n.key() + " taken " + n.timestamp()).orElse("")
                + (catalog.scan().ignoredNote().isEmpty() ? "" : "; " + catalog.scan().ignoredNote()));
        if (stale && params.has("max-age")) {
            context.log().warn(newest.isEmpty() ? "no backup at all under " + params.display("location")
                    : "the newest backup is older than max-age " + params.display("max-age"));
        }
        return Outputs.none()
                .put("count", (long) catalog.entries().size())
                .put("backups", catalog.asMaps(now))
                .put("newest-uri", newest.map(CatalogEntry::uri).orElse(""))
                .put("newest-age-seconds", newest.map(n -> Math.max(0, Duration.between(n.timestamp(), now).toSeconds())).orElse(-1L))
                .put("stale", stale)
                .put("drilled", catalog.entries().stream().filter(CatalogEntry::drillPassed).count())
                .put("last-drill-result", catalog.entries().stream().filter(e -> e.drill() != null).findFirst()
                        .map(e -> e.drill().result()).orElse(""))
                .put("archived", catalog.entries().stream().filter(CatalogEntry::archived).count());
    }

    /** The name parameter; blank (a runbook's empty default) means every name. */
    static String nameParam(Params params) {
        return params.has("name") && !params.string("name").isBlank() ? params.string("name") : null;
    }

    static Catalog load(Params params, StepContext context) throws StepFailure {
        Location location = Location.param(params, "location");
        try (ObjectStore store = StoreParams.open(location, params, context)) {
            return Catalog.load(store, location.key(), nameParam(params), location::uriOf);
        } catch (IOException e) {
            throw Failures.of(e, location.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }
}
