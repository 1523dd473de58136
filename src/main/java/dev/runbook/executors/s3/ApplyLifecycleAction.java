package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

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
import java.util.List;

/**
 * Puts the bucket's archive rule in place: backups under a prefix move to an archive tier after
 * N days, and incomplete multipart uploads (left by failed dumps) are aborted after 7 days.
 * Other rules in the bucket are read and kept; running it again changes nothing.
 */
final class ApplyLifecycleAction implements Action {

    @Override
    public String name() {
        return "apply-lifecycle";
    }

    @Override
    public String summary() {
        return "archive backups under a prefix after N days and abort stale multipart uploads (keeps other rules)";
    }

    @Override
    public List<ParamSpec> params() {
        return StoreParams.with(List.of(
                ParamSpec.required("prefix", ParamType.STRING, "what the rule covers: s3://bucket/postgres/"),
                ParamSpec.optional("storage-class", ParamType.STRING, "GLACIER", "archive tier to move objects to")
                        .oneOf("GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING"),
                ParamSpec.optional("days", ParamType.INT, 365L, "days after upload before the transition"),
                ParamSpec.optional("abort-incomplete-days", ParamType.INT, 7L,
                        "days after which incomplete multipart uploads are aborted"),
                ParamSpec.optional("rule-id", ParamType.STRING, null,
                        "id of the managed rule (default runbook-archive-<prefix>); rules with other ids are kept")));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(
                OutputSpec.of("changed", ParamType.BOOL, "whether the bucket's configuration was updated"),
                OutputSpec.of("rules", ParamType.LIST, "ids of all lifecycle rules on the bucket afterwards"));
    }

    @Override
    public String describe(Params params) {
        String prefix = params.display("prefix");
        String rule = params.has("rule-id") ? params.display("rule-id") : "runbook-archive-<prefix>";
        return "set lifecycle rule '" + rule + "' on the bucket of " + prefix + ": objects under it move to "
                + params.display("storage-class", "GLACIER") + " after " + params.display("days", "365")
                + " days; incomplete multipart uploads aborted after " + params.display("abort-incomplete-days", "7")
                + " days (other rules kept; no change when already in place)" + StoreParams.endpointNote(params);
    }

    @Override
    public Outputs execute(Params params, StepContext context) throws Exception {
        Location prefix = Location.param(params, "prefix");
        if (!prefix.isS3()) {
            throw new StepFailure("lifecycle rules exist only for S3 buckets, not for " + prefix.uri(), false, null);
        }
        LifecyclePlan plan = new LifecyclePlan(
                params.string("rule-id", LifecyclePlan.defaultId(prefix.key())), prefix.key(),
                params.string("storage-class", "GLACIER"), (int) params.integer("days", 365),
                (int) params.integer("abort-incomplete-days", 7));
        try (ObjectStore opened = StoreParams.open(prefix, params, context)) {
            S3Store store = (S3Store) opened;
            LifecyclePlan.Merge merge = plan.mergeInto(store.lifecycleRules());
            if (!merge.changed()) {
                context.log().info("lifecycle rule '" + plan.id() + "' on s3://" + store.bucket() + " already in place");
                return Outputs.none().put("changed", false).put("rules", merge.ids());
            }
            store.putLifecycleRules(merge.rules());
            context.log().info("lifecycle rule '" + plan.id() + "' set on s3://" + store.bucket() + ": " + plan.prefix()
                    + "* -> " + plan.storageClass() + " after " + plan.days() + " days, incomplete uploads aborted after "
                    + plan.abortDays() + " days; rules now " + merge.ids());
            return Outputs.none().put("changed", true).put("rules", merge.ids());
        } catch (IOException e) {
            throw Failures.of(e, prefix.uri());
        } catch (BadParameterException e) {
            throw Failures.badParam(e);
        }
    }
}
