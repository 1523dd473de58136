package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;
import dev.runbook.backups.Catalog;
import dev.runbook.backups.PrunePlan;
import dev.runbook.backups.Retention;
import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.s3.S3Store;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Retention: deletes the backups a grandfather-father-son policy no longer keeps (see
 * {@link Retention}), each with its manifest, drill record and roles dump, and aborts
 * incomplete multipart uploads older than a day. Destructive, so the plan flags it and it needs
 * approval; {@code plan --refresh} lists exactly what it would delete and keep, and why.
 */
final class PruneAction implements Action {

    @Override
    public String name() {
        return "prune";
    }

    @Override
    public String summary() {
        return "delete old backups by a keep-last/daily/weekly/monthly/yearly/within policy (never the newest or the last drilled)";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("location", ParamType.STRING,
                        "where backups are: s3://bucket/postgres/ or file:///var/backups/postgres/"),
                ParamSpec.optional("name", ParamType.STRING, null,
                        "only backups of exactly this name; default: every name, each pruned on its own"),
                ParamSpec.optional("keep-last", ParamType.INT, 0L, "keep the newest N"),
                ParamSpec.optional("keep-daily", ParamType.INT, 0L, "keep the newest backup of each of the last N days that have one (UTC)"),
                ParamSpec.optional("keep-weekly", ParamType.INT, 0L, "... of each of the last N ISO weeks"),
                ParamSpec.optional("keep-monthly", ParamType.INT, 0L, "... of each of the last N months"),
                ParamSpec.optional("keep-yearly", ParamType.INT, 0L, "... of each of the last N years"),
                ParamSpec.optional("keep-within", ParamType.DURATION, null, "keep every backup taken less than this long ago, e.g. 7d"),
                ParamSpec.optional("min-age", ParamType.DURATION, "1d", "never delete a backup younger than this"),
                ParamSpec.optional("abort-uploads-older-than", ParamType.DURATION, "1d",
                        "abort incomplete multipart uploads started longer ago than this (S3 only)")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("deleted", ParamType.INT, "backups deleted"),
                OutputSpec.of("deleted-objects", ParamType.INT, "objects deleted (backups, manifests, drill records, roles dumps, orphans)"),
                OutputSpec.of("kept", ParamType.INT, "backups kept"),
                OutputSpec.of("aborted-uploads", ParamType.INT, "incomplete multipart uploads aborted"),
                OutputSpec.of("digest", ParamType.STRING, "SHA-256 of the delete and keep sets (as shown by plan --refresh)"));
    }

    @Override
    public boolean destructive(Params params) {
        return true;
    }

    @Override
    public String describe(Params params) {
        List<String> rules = new ArrayList<>();
        for (String rule : List.of("keep-last", "keep-daily", "keep-weekly", "keep-monthly", "keep-yearly", "keep-within")) {
            if (params.has(rule) && !List.of("0", "0s").contains(params.display(rule))) {
                rules.add(rule + " " + params.display(rule));
            }
        }
        return "DELETE backups under " + params.display("location")
                + (params.has("name") && !params.display("name").isBlank() ? " named " + params.display("name") : "")
                + " that no rule keeps (" + (rules.isEmpty() ? "no keep rule given" : String.join(", ", rules))
                + "); never the newest, one younger than " + params.display("min-age", "1d")
                + " or the newest that passed a drill; abort uploads left incomplete for over "
                + params.display("abort-uploads-older-than", "1d") + StoreParams.endpointNote(params);
    }

    @Override
    public Optional<String> probe(Params params, StepContext context) throws Exception {
        Prepared p = prepare(params, context);
        return Optional.of(String.join("\n", p.lines()));
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Prepared p = prepare(params, context);
        p.lines().forEach(context.log()::info);
        List<String> toDelete = p.plan().objectsToDelete();
        int done = 0;
        int aborted = 0;
        try (ObjectStore store = StoreParams.open(p.location(), params, context)) {
            for (String key : toDelete) {
                if (context.cancelled()) {
                    throw new StepFailure("cancelled after deleting " + done + " of " + toDelete.size()
                            + " objects; run the prune again to finish (it recomputes what is left)", false, null);
                }
                store.delete(key);
                done++;
            }
            if (store instanceof S3Store s3) {
                for (S3Store.PendingUpload u : p.staleUploads()) {
                    s3.abortUpload(u);
                    aborted++;
                }
            }
        } catch (IOException e) {
            throw new StepFailure("deleted " + done + " of " + toDelete.size() + " objects, then: " + e.getMessage()
                    + "; nothing kept was touched, and running the prune again finishes the rest", true, e);
        }
        context.log().info("deleted " + p.plan().deleted().size() + " backups (" + done + " objects), kept "
                + p.plan().kept().size() + (aborted > 0 ? ", aborted " + aborted + " incomplete uploads" : ""));
        return Outputs.none()
                .put("deleted", (long) p.plan().deleted().size())
                .put("deleted-objects", (long) done)
                .put("kept", (long) p.plan().kept().size())
                .put("aborted-uploads", (long) aborted)
                .put("digest", p.plan().digest());
    }

    private record Prepared(Location location, PrunePlan plan, List<S3Store.PendingUpload> staleUploads,
                            List<String> lines) {
    }

    private static Prepared prepare(Params params, StepContext context) throws StepFailure {
        Retention policy;
        try {
            policy = new Retention((int) params.integer("keep-last", 0), (int) params.integer("keep-daily", 0),
                    (int) params.integer("keep-weekly", 0), (int) params.integer("keep-monthly", 0),
                    (int) params.integer("keep-yearly", 0), params.duration("keep-within", null),
                    params.duration("min-age", Duration.ofDays(1)));
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        } catch (IllegalArgumentException e) { // Retention's own checks of the keep-* values
            throw Failures.badParam(new BadParameterException(e.getMessage()));
        }
        Location location = Location.param(params, "location");
        Instant now = Instant.now();
        try (ObjectStore store = StoreParams.open(location, params, context)) {
            Catalog catalog = Catalog.load(store, location.key(), CatalogAction.nameParam(params), location::uriOf);
            PrunePlan plan = PrunePlan.of(catalog, policy, now);
            List<S3Store.PendingUpload> stale = List.of();
            List<String> lines = new ArrayList<>(plan.lines());
            if (store instanceof S3Store s3) {
                Duration limit = params.duration("abort-uploads-older-than", Duration.ofDays(1));
                try {
                    stale = s3.incompleteUploads(location.key()).stream()
                            .filter(u -> u.initiated() != null && Duration.between(u.initiated(), now).compareTo(limit) > 0)
                            .toList();
                } catch (IOException e) {
                    // no s3:ListBucketMultipartUploads permission, or a server without the call: retention
                    // still runs; the bucket's abort-incomplete-uploads lifecycle rule is the fallback
                    // the reason goes to the log, not the preview: a saved plan compares previews, and
                    // error texts carry request ids that change on every call
                    context.log().warn("cannot list incomplete uploads: " + e.getMessage());
                    lines.add("note: incomplete uploads not checked (see the warning); the bucket's"
                            + " abort-incomplete-uploads lifecycle rule (apply-lifecycle.yaml) removes them");
                }
            }
            plan.deleted().stream().filter(d -> d.entry().archived())
                    .forEach(d -> lines.add("note: " + d.entry().key() + ": " + PrunePlan.earlyDeletionNote(d.entry(), now)));
            for (S3Store.PendingUpload u : stale) {
                lines.add("abort incomplete upload of " + u.key() + " (started " + u.initiated() + ")");
            }
            if (!catalog.scan().ignoredNote().isEmpty()) {
                lines.add("untouched: " + catalog.scan().ignoredNote());
            }
            return new Prepared(location, plan, stale, lines);
        } catch (IOException e) {
            throw Failures.of(e, location.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }
}
