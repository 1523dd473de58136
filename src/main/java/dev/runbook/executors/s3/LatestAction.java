package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.Action;
import dev.runbook.spi.ByteSizes;
import dev.runbook.spi.Counts;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Preview;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Durations;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds the newest backup under a prefix by the UTC timestamp in its name
 * ({@link BackupKeys#parse}), never by listing order or LastModified: a copied or re-uploaded
 * old dump has a fresh LastModified, and listing order is lexical. Manifests and stray
 * objects are ignored.
 */
final class LatestAction implements Action {

    @Override
    public String name() {
        return "latest";
    }

    @Override
    public String summary() {
        return "find the newest backup under a prefix, by the timestamp in its name";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("prefix", ParamType.STRING,
                        "where backups live: s3://bucket/postgres/postgres_ or file:///var/backups/postgres/"),
                ParamSpec.optional("name", ParamType.STRING, null,
                        "only backups of exactly this name (<name>_<timestamp>.sql...); default: the prefix's last part"
                                + " before its trailing _ (postgres for .../postgres_), else any name")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("key", ParamType.STRING, "key of the newest backup"),
                OutputSpec.of("uri", ParamType.STRING, "its full location, for s3.download or postgres restore"),
                OutputSpec.of("timestamp", ParamType.STRING, "when it was taken (ISO-8601, UTC, from its name)"),
                OutputSpec.of("age-seconds", ParamType.INT, "seconds since it was taken"),
                OutputSpec.of("size", ParamType.INT, "bytes"),
                OutputSpec.of("format", ParamType.STRING, "plain or custom"),
                OutputSpec.of("compression", ParamType.STRING, "none, gzip or zstd"),
                OutputSpec.of("encryption", ParamType.STRING, "none or age (from the key's .age suffix)"),
                OutputSpec.of("storage-class", ParamType.STRING, "e.g. STANDARD, GLACIER; empty for local files"));
    }

    @Override
    public String describe(Params params) {
        return "find the newest backup under " + params.display("prefix") + " (by the timestamp in its name"
                + (params.has("name") ? ", name exactly " + params.display("name") : "") + ")"
                + StoreParams.endpointNote(params);
    }

    @Override
    public Optional<String> probe(Params params, StepContext context) throws Exception {
        return preview(params, context).map(Preview::summary);
    }

    /** The newest backup now, with the outputs a run would give (a precondition on its age is decided from them). */
    @Override
    public Optional<Preview> preview(Params params, StepContext context) throws Exception {
        Found found = find(params, context);
        return Optional.of(new Preview("newest: " + found.location.uriOf(found.backup.key()) + " taken "
                + found.backup.timestamp() + " (" + Durations.format(age(found.backup.timestamp())) + " ago)",
                outputs(found).asMap()));
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Found found = find(params, context);
        BackupKeys.Parsed b = found.backup;
        context.log().info("newest backup: " + found.location.uriOf(b.key()) + " taken " + b.timestamp() + " ("
                + Durations.format(age(b.timestamp())) + " ago), " + ByteSizes.human(found.info.size()) + ", "
                + (found.candidates == 1 ? "the only backup found" : found.candidates + " backups found"));
        return outputs(found);
    }

    private static Outputs outputs(Found found) {
        BackupKeys.Parsed b = found.backup;
        ObjectInfo info = found.info;
        Duration age = age(b.timestamp());
        String uri = found.location.uriOf(b.key());
        return Outputs.none()
                .put("key", b.key())
                .put("uri", uri)
                .put("timestamp", b.timestamp().toString())
                .put("age-seconds", Math.max(0, age.toSeconds()))
                .put("size", info.size())
                .put("format", b.format())
                .put("compression", b.compression())
                .put("encryption", b.encryption())
                .put("storage-class", info.storageClass() == null ? "" : info.storageClass());
    }

    private record Found(Location location, BackupKeys.Parsed backup, ObjectInfo info, int candidates) {
    }

    private static Found find(Params params, StepContext context) throws StepFailure {
        Location prefix = Location.param(params, "prefix");
        List<ObjectInfo> objects;
        try (ObjectStore store = StoreParams.open(prefix, params, context)) {
            objects = store.list(prefix.key());
        } catch (IOException e) {
            throw Failures.of(e, prefix.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
        Map<String, ObjectInfo> byKey = objects.stream()
                .collect(Collectors.toMap(ObjectInfo::key, o -> o, (a, b) -> a));
        String name = nameOf(params, prefix);
        BackupKeys.Scan scan = BackupKeys.Scan.of(objects.stream().map(ObjectInfo::key).toList(), name);
        List<BackupKeys.Parsed> backups = scan.backups();
        if (!scan.ignoredNote().isEmpty()) {
            context.log().info(scan.ignoredNote() + (name == null ? "" : " (looking for name " + name + ")"));
        }
        // ties (same second, e.g. .sql and .sql.gz) break on the key so the choice is stable
        Optional<BackupKeys.Parsed> newest = backups.stream()
                .max(Comparator.comparing(BackupKeys.Parsed::timestamp).thenComparing(BackupKeys.Parsed::key));
        if (newest.isEmpty()) {
            throw new StepFailure("no backup found under " + prefix.uri() + " (" + Counts.of(objects.size(), "object") + " listed, none named " + (name == null ? "<name>" : name)
                    + "_<YYYYMMDDTHHMMSSZ>.sql|.dump[.gz|.zst][.age]" + (scan.ignoredNote().isEmpty() ? "" : "; " + scan.ignoredNote()) + ");"
                    + " check the prefix and that the nightly backup ran", false, null);
        }
        return new Found(prefix, newest.get(), byKey.get(newest.get().key()), backups.size());
    }

    /** The name parameter, else the prefix's last part before a trailing _ (s3://b/postgres/postgres_ → postgres). */
    static String nameOf(Params params, Location prefix) {
        if (params.has("name") && !params.string("name").isBlank()) {
            return params.string("name");
        }
        String last = prefix.fileName();
        return last.endsWith("_") && last.length() > 1 ? last.substring(0, last.length() - 1) : null;
    }

    private static Duration age(Instant timestamp) {
        return Duration.between(timestamp, Instant.now());
    }
}
