package dev.runbook.executors.kubectl;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a live object already has what a manifest asks for, when the server cannot tell us
 * (no server-side apply). Compares every field the manifest sets outside metadata and status
 * (spec, data, rules, ...) plus its labels and annotations; fields the server filled in itself
 * (defaults, clusterIP) do not count as drift.
 */
final class Drift {

    private static final Set<String> IGNORED = Set.of("apiVersion", "kind", "metadata", "status");

    private Drift() {
    }

    /** The part of a manifest that a change is judged on. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> desiredContent(Map<String, Object> manifest) {
        Map<String, Object> out = new LinkedHashMap<>();
        manifest.forEach((k, v) -> {
            if (!IGNORED.contains(k)) {
                out.put(k, v);
            }
        });
        // A Secret's stringData is stored as base64 data; compare it in that form.
        if (out.get("stringData") instanceof Map<?, ?> stringData) {
            Map<String, Object> data = new LinkedHashMap<>(out.get("data") instanceof Map<?, ?> d ? (Map<String, Object>) d : Map.of());
            stringData.forEach((k, v) -> data.put(String.valueOf(k),
                    Base64.getEncoder().encodeToString(String.valueOf(v).getBytes(StandardCharsets.UTF_8))));
            out.remove("stringData");
            out.put("data", data);
        }
        if (manifest.get("metadata") instanceof Map<?, ?> meta) {
            Map<String, Object> labelled = new LinkedHashMap<>();
            for (String key : List.of("labels", "annotations")) {
                if (meta.get(key) != null) {
                    labelled.put(key, meta.get(key));
                }
            }
            if (!labelled.isEmpty()) {
                out.put("metadata", labelled);
            }
        }
        return out;
    }

    /** True when every value the desired tree sets is present and equal in the live tree. */
    static boolean covers(Object live, Object desired) {
        if (desired == null) {
            return live == null;
        }
        if (desired instanceof Map<?, ?> d) {
            if (!(live instanceof Map<?, ?> l)) {
                return d.isEmpty() && live == null;
            }
            for (Map.Entry<?, ?> e : d.entrySet()) {
                if (!covers(l.get(e.getKey()), e.getValue())) {
                    return false;
                }
            }
            return true;
        }
        if (desired instanceof List<?> d) {
            if (!(live instanceof List<?> l) || l.size() != d.size()) {
                return d.isEmpty() && live == null;
            }
            for (int i = 0; i < d.size(); i++) {
                if (!covers(l.get(i), d.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (live == null) {
            return false;
        }
        if (desired instanceof Number || live instanceof Number) {
            try {
                return new BigDecimal(String.valueOf(desired)).compareTo(new BigDecimal(String.valueOf(live))) == 0;
            } catch (NumberFormatException e) {
                return false;
            }
        }
        return String.valueOf(desired).equals(String.valueOf(live));
    }
}
