package dev.runbook.executors.s3;

import software.amazon.awssdk.services.s3.model.AbortIncompleteMultipartUpload;
import software.amazon.awssdk.services.s3.model.ExpirationStatus;
import software.amazon.awssdk.services.s3.model.LifecycleRule;
import software.amazon.awssdk.services.s3.model.LifecycleRuleFilter;
import software.amazon.awssdk.services.s3.model.Transition;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one lifecycle rule this executor manages, and its merge into a bucket's existing rules.
 * PutBucketLifecycleConfiguration replaces the whole configuration, so the current rules are
 * read first and only the rule with our id is added or replaced; the others are kept as they are.
 *
 * @param id          rule id, the merge key
 * @param prefix      key prefix the rule applies to
 * @param storageClass archive tier, e.g. GLACIER
 * @param days        days after creation before the transition
 * @param abortDays   days after which incomplete multipart uploads (failed dumps) are aborted
 */
record LifecyclePlan(String id, String prefix, String storageClass, int days, int abortDays) {

    /** The rules to write, and whether they differ from what the bucket has. */
    record Merge(List<LifecycleRule> rules, boolean changed) {
        List<String> ids() {
            return rules.stream().map(LifecycleRule::id).toList();
        }
    }

    LifecycleRule rule() {
        return LifecycleRule.builder()
                .id(id)
                .status(ExpirationStatus.ENABLED)
                .filter(LifecycleRuleFilter.builder().prefix(prefix).build())
                .transitions(Transition.builder().days(days).storageClass(storageClass).build())
                .abortIncompleteMultipartUpload(AbortIncompleteMultipartUpload.builder().daysAfterInitiation(abortDays).build())
                .build();
    }

    Merge mergeInto(List<LifecycleRule> existing) {
        List<LifecycleRule> out = new ArrayList<>();
        boolean found = false;
        boolean changed = false;
        for (LifecycleRule r : existing) {
            if (id.equals(r.id())) {
                found = true;
                changed = !sameAsOurs(r);
                out.add(rule());
            } else {
                out.add(r);
            }
        }
        if (!found) {
            out.add(rule());
            changed = true;
        }
        return new Merge(List.copyOf(out), changed);
    }

    /** Compares meaning, not representation (servers return the prefix in the filter or the old field). */
    @SuppressWarnings("deprecation") // reads the legacy top-level Prefix on purpose: older rules still use it
    boolean sameAsOurs(LifecycleRule r) {
        String rulePrefix = r.filter() != null && r.filter().prefix() != null ? r.filter().prefix() : r.prefix();
        Set<String> transitions = r.transitions() == null ? Set.of() : r.transitions().stream()
                .map(t -> t.days() + "/" + t.storageClassAsString()).collect(Collectors.toSet());
        Integer abort = r.abortIncompleteMultipartUpload() == null ? null
                : r.abortIncompleteMultipartUpload().daysAfterInitiation();
        boolean filterOnlyPrefix = r.filter() == null || (r.filter().tag() == null && r.filter().and() == null
                && r.filter().objectSizeGreaterThan() == null && r.filter().objectSizeLessThan() == null);
        return ExpirationStatus.ENABLED.equals(r.status())
                && Objects.equals(prefix, rulePrefix == null ? "" : rulePrefix)
                && filterOnlyPrefix
                && transitions.equals(Set.of(days + "/" + storageClass))
                && Objects.equals(abortDays, abort)
                && r.expiration() == null
                && (r.noncurrentVersionTransitions() == null || r.noncurrentVersionTransitions().isEmpty())
                && r.noncurrentVersionExpiration() == null;
    }

    /** A readable, stable default id for a prefix, e.g. runbook-archive-postgres/ . */
    static String defaultId(String prefix) {
        String id = "runbook-archive-" + (prefix.isEmpty() ? "all" : prefix);
        return id.length() > 255 ? id.substring(0, 255) : id; // S3's limit
    }
}
