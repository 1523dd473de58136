package dev.runbook.executors.postgres;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What the dump action records beside each backup ({@code <key>.manifest.json}); restore checks
 * the checksum and version, verify compares row counts.
 *
 * @param sha256          of the stored bytes (after compression)
 * @param size            stored bytes
 * @param tables          {@code schema.table} → exact row count; null when counting was skipped
 * @param tablesSnapshot  true when the counts were taken in the very snapshot pg_dump used
 *                        ({@code pg_dump --snapshot}), so they match the dump exactly; false when
 *                        they were taken just after it and concurrent writes may differ
 * @param globalsKey      key of the {@code pg_dumpall --globals-only} object, or null
 * @param encryption      {@code age} when the stored bytes are encrypted, else null
 * @param recipients      the age recipients (public keys, which are their own fingerprints)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
record Manifest(
        @JsonProperty("key") String key,
        @JsonProperty("sha256") String sha256,
        @JsonProperty("size") long size,
        @JsonProperty("database") String database,
        @JsonProperty("server_version") String serverVersion,
        @JsonProperty("pg_dump_version") String pgDumpVersion,
        @JsonProperty("format") String format,
        @JsonProperty("compression") String compression,
        @JsonProperty("created") String created,
        @JsonProperty("run_id") String runId,
        @JsonProperty("tables") Map<String, Long> tables,
        @JsonProperty("tables_snapshot") Boolean tablesSnapshot,
        @JsonProperty("globals_key") String globalsKey,
        @JsonProperty("encryption") String encryption,
        @JsonProperty("recipients") List<String> recipients) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    byte[] toJson() throws IOException {
        return JSON.writeValueAsBytes(this);
    }

    static Manifest fromJson(byte[] bytes) throws IOException {
        return JSON.readValue(bytes, Manifest.class);
    }
}
