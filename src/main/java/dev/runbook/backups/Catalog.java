package dev.runbook.backups;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.storage.BackupKeys;
import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.s3.ArchiveState;
import dev.runbook.storage.s3.S3Store;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The backups under a prefix, newest first, with what is known of each: the listing (size,
 * storage class), the manifest beside it (recorded SHA-256), the last drill record, and for
 * archived S3 objects the restore state from HEAD ({@code x-amz-restore}).
 *
 * <p>One listing (paginated by the store), then one small GET per manifest or drill record and
 * one HEAD per archived object, a few at a time: a catalog of thousands of backups costs
 * requests only for what exists.
 *
 * @param entries    the backups, newest first (ties broken by key)
 * @param scan       how the listing was sorted, with the ignored keys counted
 * @param orphans    manifests and drill records whose backup is gone (prune removes them)
 * @param listed     how many objects the listing returned
 */
public record Catalog(List<CatalogEntry> entries, BackupKeys.Scan scan, List<String> orphans, int listed) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_SMALL_OBJECT = 1024 * 1024;
    private static final int PARALLEL_READS = 8;

    public Catalog {
        entries = List.copyOf(entries);
        orphans = List.copyOf(orphans);
    }

    public Optional<CatalogEntry> newest() {
        return entries.isEmpty() ? Optional.empty() : Optional.of(entries.get(0));
    }

    /**
     * Whether the recovery point objective is missed: there is no backup, or the newest backup
     * of some name is older than {@code maxAge} (a fresh backup of one database does not hide
     * a stopped backup of another).
     */
    public boolean stale(java.time.Duration maxAge, java.time.Instant now) {
        return entries.isEmpty() || !staleNewest(maxAge, now).isEmpty();
    }

    /** The newest backup of each name whose newest is older than {@code maxAge}. */
    public List<CatalogEntry> staleNewest(java.time.Duration maxAge, java.time.Instant now) {
        Map<String, CatalogEntry> newestByName = new java.util.LinkedHashMap<>();
        entries.forEach(e -> newestByName.putIfAbsent(e.backup().database(), e));
        return newestByName.values().stream()
                .filter(n -> java.time.Duration.between(n.timestamp(), now).compareTo(maxAge) > 0).toList();
    }

    /** The catalog as plain data, newest first: the JSON of {@code runbook backups --format json} and s3.catalog's output. */
    public List<Map<String, Object>> asMaps(java.time.Instant now) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (CatalogEntry e : entries) {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("key", e.key());
            m.put("uri", e.uri());
            m.put("name", e.backup().database());
            m.put("timestamp", e.timestamp().toString());
            m.put("age_seconds", Math.max(0, java.time.Duration.between(e.timestamp(), now).toSeconds()));
            m.put("size", e.size());
            m.put("format", e.backup().format());
            m.put("compression", e.backup().compression());
            m.put("encryption", e.backup().encryption());
            m.put("sha256", e.sha256());
            m.put("sha256_verified", e.sha256Verified());
            m.put("manifest_problem", e.manifestProblem());
            m.put("storage_class", e.storageClass());
            m.put("restoring", e.restoring());
            m.put("restored_until", e.restoredUntil() == null ? null : e.restoredUntil().toString());
            Map<String, Object> drill = null;
            if (e.drill() != null) {
                drill = new java.util.LinkedHashMap<>();
                drill.put("result", e.drill().result());
                drill.put("at", e.drill().at());
                drill.put("recovery_ms", e.drill().recoveryMs());
                drill.put("run_id", e.drill().runId());
            }
            m.put("drill", drill);
            out.add(m);
        }
        return out;
    }

    /**
     * @param prefix key prefix inside the store (e.g. {@code postgres/})
     * @param name   only backups of exactly this name, or null for every name
     * @param uriOf  the full URI of a key, for display
     */
    public static Catalog load(ObjectStore store, String prefix, String name, Function<String, String> uriOf)
            throws IOException {
        List<ObjectInfo> objects = store.list(prefix);
        Map<String, ObjectInfo> byKey = objects.stream()
                .collect(Collectors.toMap(ObjectInfo::key, o -> o, (a, b) -> a));
        BackupKeys.Scan scan = BackupKeys.Scan.of(objects.stream().map(ObjectInfo::key).toList(), name);
        Set<String> backupKeys = new HashSet<>();
        scan.backups().forEach(b -> backupKeys.add(b.key()));
        List<String> orphans = objects.stream().map(ObjectInfo::key)
                .filter(k -> BackupKeys.companionOf(k).filter(owner -> !byKey.containsKey(owner)).isPresent())
                .filter(k -> BackupKeys.companionOf(k).flatMap(o -> BackupKeys.parse(o, name)).isPresent())
                .sorted().toList();

        List<BackupKeys.Parsed> sorted = scan.backups().stream()
                .sorted(Comparator.comparing(BackupKeys.Parsed::timestamp).thenComparing(BackupKeys.Parsed::key).reversed())
                .toList();
        ExecutorService pool = Executors.newFixedThreadPool(PARALLEL_READS, r -> {
            Thread t = new Thread(r, "catalog-read");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<CatalogEntry>> futures = new ArrayList<>();
            for (BackupKeys.Parsed b : sorted) {
                ObjectInfo info = byKey.get(b.key());
                futures.add(pool.submit(() -> entry(store, b, info, byKey, uriOf)));
            }
            List<CatalogEntry> entries = new ArrayList<>(futures.size());
            for (Future<CatalogEntry> f : futures) {
                entries.add(f.get());
            }
            return new Catalog(entries, scan, orphans, objects.size());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while reading the catalog", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    private static CatalogEntry entry(ObjectStore store, BackupKeys.Parsed b, ObjectInfo info,
                                      Map<String, ObjectInfo> byKey, Function<String, String> uriOf) throws IOException {
        List<String> companions = new ArrayList<>();
        String sha256 = null;
        String manifestProblem = null;
        String manifestKey = BackupKeys.manifestKey(b.key());
        if (byKey.containsKey(manifestKey)) {
            companions.add(manifestKey);
            try {
                sha256 = manifestSha256(read(store, manifestKey)).orElse(null);
                if (sha256 == null) {
                    manifestProblem = "the manifest records no sha256";
                }
            } catch (IOException e) {
                manifestProblem = "unreadable manifest: " + e.getMessage();
            }
        }
        DrillRecord drill = null;
        String drillKey = BackupKeys.drillKey(b.key());
        if (byKey.containsKey(drillKey)) {
            companions.add(drillKey);
            try {
                drill = DrillRecord.fromJson(read(store, drillKey));
            } catch (IOException e) {
                drill = new DrillRecord(b.key(), "unreadable record", null, null, null, null, null, null);
            }
        }
        String globals = BackupKeys.globalsKey(b);
        if (byKey.containsKey(globals)) {
            companions.add(globals);
        }
        String storageClass = info.storageClass();
        boolean restoring = false;
        java.time.Instant restoredUntil = null;
        if (info.archived() && store instanceof S3Store s3) {
            Optional<ArchiveState> state = s3.archiveState(b.key());
            if (state.isPresent()) {
                restoring = state.get().restoreInProgress();
                restoredUntil = state.get().restoredUntil();
            }
        }
        return new CatalogEntry(b, uriOf.apply(b.key()), info.size(), info.lastModified(), storageClass, restoring, restoredUntil,
                sha256, manifestProblem, drill, companions);
    }

    private static byte[] read(ObjectStore store, String key) throws IOException {
        try (InputStream in = store.open(key)) {
            return in.readNBytes(MAX_SMALL_OBJECT);
        }
    }

    /** The {@code sha256} field of a manifest, lower-case; empty when it has none. */
    public static Optional<String> manifestSha256(byte[] manifest) throws IOException {
        JsonNode sha;
        try {
            sha = JSON.readTree(manifest).get("sha256");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IOException("not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (sha == null || !sha.isTextual() || sha.asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(sha.asText().trim().toLowerCase(java.util.Locale.ROOT));
    }
}
