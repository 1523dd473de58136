package dev.runbook.backups;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * A retention policy, grandfather-father-son by the UTC timestamp in each backup's key (never
 * LastModified, which a copy refreshes): keep the last N; the newest backup of each of the last
 * N days, ISO weeks, months and years that have backups; everything taken within a duration.
 * Whatever the rules say, three backups are never deleted: the newest, any younger than
 * {@code minAge} (a backup still being verified), and the newest one that passed a restore
 * drill (so the only proven-good backup survives).
 *
 * @param keepWithin keep everything taken less than this long ago, or null
 * @param minAge     never delete a backup younger than this (default 1 day in prune.yaml)
 */
public record Retention(int keepLast, int keepDaily, int keepWeekly, int keepMonthly, int keepYearly,
                        Duration keepWithin, Duration minAge) {

    public Retention {
        for (int n : new int[]{keepLast, keepDaily, keepWeekly, keepMonthly, keepYearly}) {
            if (n < 0) {
                throw new IllegalArgumentException("keep-* counts must be 0 or more, got " + n);
            }
        }
        if (keepLast + keepDaily + keepWeekly + keepMonthly + keepYearly == 0
                && (keepWithin == null || keepWithin.isZero())) {
            throw new IllegalArgumentException("no keep rule given (keep-last, keep-daily, keep-weekly, keep-monthly,"
                    + " keep-yearly or keep-within): that would delete every backup but the newest; give at least one");
        }
        minAge = minAge == null ? Duration.ZERO : minAge;
    }

    /** One backup's fate. {@code reasons} is empty exactly when it is deleted. */
    public record Decision(CatalogEntry entry, List<String> reasons) {
        public Decision {
            reasons = List.copyOf(reasons);
        }

        public boolean kept() {
            return !reasons.isEmpty();
        }
    }

    /**
     * Decides every backup of one name.
     *
     * @param newestFirst the backups of ONE name, newest first (as {@link Catalog#entries()})
     */
    public List<Decision> apply(List<CatalogEntry> newestFirst, Instant now) {
        Map<CatalogEntry, List<String>> reasons = new LinkedHashMap<>();
        newestFirst.forEach(e -> reasons.put(e, new ArrayList<>()));
        for (int i = 0; i < Math.min(keepLast, newestFirst.size()); i++) {
            reasons.get(newestFirst.get(i)).add("last " + keepLast);
        }
        bucket(newestFirst, reasons, keepDaily, "daily", t -> t.toLocalDate().toString());
        bucket(newestFirst, reasons, keepWeekly, "weekly", t -> String.format(Locale.ROOT, "%d-W%02d",
                t.get(IsoFields.WEEK_BASED_YEAR), t.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR)));
        bucket(newestFirst, reasons, keepMonthly, "monthly", t -> String.format(Locale.ROOT, "%d-%02d",
                t.getYear(), t.getMonthValue()));
        bucket(newestFirst, reasons, keepYearly, "yearly", t -> Integer.toString(t.getYear()));
        for (CatalogEntry e : newestFirst) {
            Duration age = Duration.between(e.timestamp(), now);
            if (keepWithin != null && !keepWithin.isZero() && age.compareTo(keepWithin) < 0) {
                reasons.get(e).add("within " + dev.runbook.spi.Durations.literal(keepWithin));
            }
            if (age.compareTo(minAge) < 0) {
                reasons.get(e).add("younger than min-age " + dev.runbook.spi.Durations.literal(minAge));
            }
        }
        if (!newestFirst.isEmpty()) {
            reasons.get(newestFirst.get(0)).add("newest backup");
        }
        newestFirst.stream().filter(CatalogEntry::drillPassed).findFirst()
                .ifPresent(e -> reasons.get(e).add("newest backup that passed a restore drill"));
        List<Decision> out = new ArrayList<>();
        reasons.forEach((e, r) -> out.add(new Decision(e, r)));
        return out;
    }

    /** Keeps the newest backup of each of the newest {@code n} periods that have one. */
    private static void bucket(List<CatalogEntry> newestFirst, Map<CatalogEntry, List<String>> reasons, int n,
                               String rule, Function<ZonedDateTime, String> period) {
        String last = null;
        int kept = 0;
        for (CatalogEntry e : newestFirst) {
            if (kept >= n) {
                return;
            }
            String p = period.apply(e.timestamp().atZone(ZoneOffset.UTC));
            if (!p.equals(last)) {
                reasons.get(e).add(rule + " " + p);
                last = p;
                kept++;
            }
        }
    }
}
