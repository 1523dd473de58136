package dev.runbook.backups;

import dev.runbook.storage.BackupKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetentionTest {

    private static final Instant NOW = Instant.parse("2026-12-04T12:00:00Z");

    /**
     * A few hundred backups over three years, irregular (missed nights, extra manual backups,
     * several a day), some drilled; the kept set must equal what a different, simple algorithm
     * computes: group by period, take each group's newest, take the newest N groups.
     */
    @Test
    void generatedThreeYearCatalogKeepsExactlyTheIndependentlyComputedSet() {
        for (long seed : new long[]{1, 2, 3, 42}) {
            List<CatalogEntry> newestFirst = generate(seed);
            assertTrue(newestFirst.size() > 300, "a few hundred backups: " + newestFirst.size());
            Retention policy = new Retention(5, 10, 6, 14, 3, Duration.ofDays(3), Duration.ofHours(12));
            Set<String> kept = policy.apply(newestFirst, NOW).stream().filter(Retention.Decision::kept)
                    .map(d -> d.entry().key()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(expected(newestFirst, 5, 10, 6, 14, 3, Duration.ofDays(3), Duration.ofHours(12)), kept, "seed " + seed);
        }
    }

    @Test
    void theNewestTheYoungAndTheLastDrilledSurviveAPolicyThatKeepsAlmostNothing() {
        List<CatalogEntry> entries = new ArrayList<>();
        entries.add(entry("db", NOW.minus(Duration.ofHours(2)), null));
        entries.add(entry("db", NOW.minus(Duration.ofHours(20)), null));
        entries.add(entry("db", NOW.minus(Duration.ofDays(40)), "passed"));
        entries.add(entry("db", NOW.minus(Duration.ofDays(50)), "passed"));
        entries.add(entry("db", NOW.minus(Duration.ofDays(60)), "failed"));
        // keep-yearly 1 alone keeps only the newest of this year
        List<Retention.Decision> d = new Retention(0, 0, 0, 0, 1, null, Duration.ofDays(1)).apply(entries, NOW);
        assertEquals(List.of("yearly 2026", "younger than min-age 1d", "newest backup"), d.get(0).reasons());
        assertEquals(List.of("younger than min-age 1d"), d.get(1).reasons());
        assertEquals(List.of("newest backup that passed a restore drill"), d.get(2).reasons());
        assertFalse(d.get(3).kept(), "an older drilled backup is not the only one that passed");
        assertFalse(d.get(4).kept());
    }

    @Test
    void aPolicyWithNoKeepRuleIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Retention(0, 0, 0, 0, 0, Duration.ZERO, Duration.ofDays(1)));
        assertTrue(e.getMessage().contains("no keep rule given"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Retention(-1, 1, 0, 0, 0, null, null));
    }

    @Test
    void eachNameIsPrunedOnItsOwnAndCompanionsGoWithTheirBackup() {
        CatalogEntry a1 = entry("app", NOW.minus(Duration.ofDays(2)), null);
        CatalogEntry a2 = entry("app", NOW.minus(Duration.ofDays(3)), null);
        CatalogEntry o1 = entry("app_orders", NOW.minus(Duration.ofDays(10)), null);
        Catalog catalog = new Catalog(List.of(a1, a2, o1), BackupKeys.Scan.of(List.of(), null),
                List.of("p/app_20200101T000000Z.sql.manifest.json"), 7);
        PrunePlan plan = PrunePlan.of(catalog, new Retention(1, 0, 0, 0, 0, null, Duration.ZERO), NOW);
        assertEquals(List.of(a2.key(), a2.key() + ".manifest.json", "p/app_20200101T000000Z.sql.manifest.json"),
                plan.objectsToDelete(), "app_orders' only backup is its newest: kept");
        PrunePlan again = PrunePlan.of(catalog, new Retention(1, 0, 0, 0, 0, null, Duration.ZERO), NOW);
        assertEquals(plan.digest(), again.digest());
        PrunePlan other = PrunePlan.of(catalog, new Retention(2, 0, 0, 0, 0, null, Duration.ZERO), NOW);
        assertFalse(plan.digest().equals(other.digest()), "another delete set, another digest");
    }

    @Test
    void glacierDeletionSaysWhenTheMinimumStorageChargeApplies() {
        CatalogEntry young = new CatalogEntry(BackupKeys.parse("p/db_20261001T020000Z.sql").orElseThrow(), "u", 1,
                Instant.parse("2026-10-01T02:00:00Z"), "GLACIER", false, null, null, null, null, List.of());
        assertTrue(PrunePlan.earlyDeletionNote(young, NOW).contains("incurs the minimum-storage-duration charge for the remaining 26 days"),
                PrunePlan.earlyDeletionNote(young, NOW));
        CatalogEntry deep = new CatalogEntry(BackupKeys.parse("p/db_20250101T020000Z.sql").orElseThrow(), "u", 1,
                Instant.parse("2025-01-01T02:00:00Z"), "DEEP_ARCHIVE", false, null, null, null, null, List.of());
        assertTrue(PrunePlan.earlyDeletionNote(deep, NOW).contains("less than 180 days ago"), PrunePlan.earlyDeletionNote(deep, NOW));
        CatalogEntry standard = new CatalogEntry(BackupKeys.parse("p/db_20250101T020000Z.sql").orElseThrow(), "u", 1,
                Instant.parse("2025-01-01T02:00:00Z"), "STANDARD", false, null, null, null, null, List.of());
        assertEquals(null, PrunePlan.earlyDeletionNote(standard, NOW));
    }

    // --- the independent expectation: sets and group-bys, no walking state ---

    private static Set<String> expected(List<CatalogEntry> all, int last, int daily, int weekly, int monthly, int yearly,
                                        Duration within, Duration minAge) {
        List<CatalogEntry> sorted = all.stream().sorted(Comparator.comparing(CatalogEntry::timestamp).reversed()).toList();
        Set<String> keep = new TreeSet<>();
        sorted.stream().limit(last).forEach(e -> keep.add(e.key()));
        keep.addAll(newestOfNewestGroups(sorted, daily, t -> t.atZone(ZoneOffset.UTC).toLocalDate().toEpochDay()));
        keep.addAll(newestOfNewestGroups(sorted, weekly, t -> {
            LocalDate d = t.atZone(ZoneOffset.UTC).toLocalDate();
            return d.get(IsoFields.WEEK_BASED_YEAR) * 100L + d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
        }));
        keep.addAll(newestOfNewestGroups(sorted, monthly, t -> {
            LocalDate d = t.atZone(ZoneOffset.UTC).toLocalDate();
            return d.getYear() * 100L + d.getMonthValue();
        }));
        keep.addAll(newestOfNewestGroups(sorted, yearly, t -> (long) t.atZone(ZoneOffset.UTC).getYear()));
        for (CatalogEntry e : sorted) {
            if (e.timestamp().isAfter(NOW.minus(within)) || e.timestamp().isAfter(NOW.minus(minAge))) {
                keep.add(e.key());
            }
        }
        keep.add(sorted.get(0).key());
        sorted.stream().filter(e -> e.drill() != null && e.drill().passed()).findFirst().ifPresent(e -> keep.add(e.key()));
        return keep;
    }

    private static Set<String> newestOfNewestGroups(List<CatalogEntry> entries, int n, Function<Instant, Long> group) {
        TreeMap<Long, CatalogEntry> newestPerGroup = new TreeMap<>();
        for (CatalogEntry e : entries) {
            newestPerGroup.merge(group.apply(e.timestamp()), e,
                    (a, b) -> a.timestamp().isAfter(b.timestamp()) ? a : b);
        }
        return newestPerGroup.descendingMap().values().stream().limit(n).map(CatalogEntry::key).collect(Collectors.toSet());
    }

    private static List<CatalogEntry> generate(long seed) {
        Random random = new Random(seed);
        List<CatalogEntry> out = new ArrayList<>();
        Instant start = NOW.minus(Duration.ofDays(3 * 365 + 20)).truncatedTo(ChronoUnit.DAYS);
        for (Instant day = start; day.isBefore(NOW); day = day.plus(Duration.ofDays(1))) {
            if (random.nextInt(10) < 3) {
                continue; // a missed night
            }
            int count = random.nextInt(10) == 0 ? 2 + random.nextInt(2) : 1;
            for (int i = 0; i < count; i++) {
                Instant t = day.plusSeconds(random.nextInt(86_400));
                if (t.isBefore(NOW)) {
                    String drill = random.nextInt(40) == 0 ? (random.nextBoolean() ? "passed" : "failed") : null;
                    out.add(entry("db", t, drill));
                }
            }
        }
        return out.stream().distinct().sorted(Comparator.comparing(CatalogEntry::timestamp)
                .thenComparing(CatalogEntry::key).reversed()).toList();
    }

    static CatalogEntry entry(String name, Instant t, String drill) {
        String key = "p/" + name + "_" + BackupKeys.TIMESTAMP.format(t) + ".sql";
        BackupKeys.Parsed parsed = BackupKeys.parse(key).orElseThrow();
        DrillRecord record = drill == null ? null : new DrillRecord(key, drill, t.plusSeconds(3600).toString(), 1000L,
                null, null, true, "run");
        return new CatalogEntry(parsed, "file:///" + key, 100, t, null, false, null, "abc", null, record,
                List.of(key + ".manifest.json"));
    }

}
