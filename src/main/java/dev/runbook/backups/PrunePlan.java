package dev.runbook.backups;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a prune would delete and keep, and why: the reviewed artefact of {@code plan --refresh}
 * and exactly what {@code run} then deletes. Each backup of each name is decided by the
 * {@link Retention} policy; a deleted backup takes its manifest, drill record and roles dump
 * with it; manifests and drill records whose backup is already gone are deleted too.
 *
 * @param decisions every backup's fate, per name, newest first
 * @param orphans   companion files without their backup
 * @param digest    SHA-256 of the delete set and the kept set: a saved plan runs only if it still holds
 */
public record PrunePlan(List<Retention.Decision> decisions, List<String> orphans, String digest) {

    /** Minimum storage durations billed when an archived object is deleted earlier. */
    private static final Map<String, Duration> MINIMUM_STORAGE = Map.of(
            "GLACIER", Duration.ofDays(90), "DEEP_ARCHIVE", Duration.ofDays(180),
            "GLACIER_IR", Duration.ofDays(90), "STANDARD_IA", Duration.ofDays(30), "ONEZONE_IA", Duration.ofDays(30));

    public PrunePlan {
        decisions = List.copyOf(decisions);
        orphans = List.copyOf(orphans);
    }

    public static PrunePlan of(Catalog catalog, Retention policy, Instant now) {
        Map<String, List<CatalogEntry>> byName = new LinkedHashMap<>();
        for (CatalogEntry e : catalog.entries()) {
            byName.computeIfAbsent(e.backup().database(), n -> new ArrayList<>()).add(e);
        }
        List<Retention.Decision> decisions = new ArrayList<>();
        byName.values().forEach(entries -> decisions.addAll(policy.apply(entries, now)));
        TreeSet<String> lines = new TreeSet<>();
        for (Retention.Decision d : decisions) {
            lines.add((d.kept() ? "keep " : "delete ") + d.entry().key());
            if (!d.kept()) {
                d.entry().companions().forEach(c -> lines.add("delete " + c));
            }
        }
        catalog.orphans().forEach(o -> lines.add("delete " + o));
        return new PrunePlan(decisions, catalog.orphans(), dev.runbook.spi.Sha256.hex(String.join("\n", lines)));
    }

    public List<Retention.Decision> deleted() {
        return decisions.stream().filter(d -> !d.kept()).toList();
    }

    public List<Retention.Decision> kept() {
        return decisions.stream().filter(Retention.Decision::kept).toList();
    }

    /** Every key to delete: each backup first, then what goes with it, then orphans. */
    public List<String> objectsToDelete() {
        List<String> keys = new ArrayList<>();
        for (Retention.Decision d : deleted()) {
            keys.add(d.entry().key());
            keys.addAll(d.entry().companions());
        }
        keys.addAll(orphans);
        return keys;
    }

    /**
     * A warning when deleting this archived backup is billed as if it had stayed the minimum
     * storage duration, or null. The transition date is not in the listing; the object's age
     * (LastModified is not refreshed by a transition) bounds it from above.
     */
    public static String earlyDeletionNote(CatalogEntry e, Instant now) {
        Instant lastModified = e.lastModified() == null ? e.timestamp() : e.lastModified();
        Duration minimum = e.storageClass() == null ? null : MINIMUM_STORAGE.get(e.storageClass());
        if (minimum == null) {
            return null;
        }
        long days = Duration.between(lastModified, now).toDays();
        long minDays = minimum.toDays();
        if (days < minDays) {
            return e.storageClass() + " bills at least " + minDays + " days: deleting it now (written " + days
                    + " days ago) incurs the minimum-storage-duration charge for the remaining " + (minDays - days) + " days";
        }
        return e.storageClass() + " bills at least " + minDays + " days: deletion incurs the minimum-storage-duration"
                + " charge if it moved to " + e.storageClass() + " less than " + minDays + " days ago";
    }

    /** The plan as lines for people: what goes, what stays, and why. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("delete " + deleted().size() + " of " + decisions.size() + " backups (" + objectsToDelete().size()
                + " objects), keep " + kept().size() + "; set sha256:" + digest.substring(0, 16));
        for (Retention.Decision d : decisions) {
            if (d.kept()) {
                out.add("keep   " + d.entry().key() + " (" + String.join(", ", d.reasons()) + ")");
            } else {
                out.add("delete " + d.entry().key() + (d.entry().companions().isEmpty() ? ""
                        : " + " + String.join(", ", d.entry().companions().stream()
                        .map(c -> c.substring(d.entry().key().length())).toList()))
                        + " (no keep rule matches)" + (d.entry().archived() ? " [" + d.entry().storageClass() + "]" : ""));
            }
        }
        for (String o : orphans) {
            out.add("delete " + o + " (its backup is gone)");
        }
        return out;
    }

}
