package dev.runbook.backups;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;

/**
 * What a restore drill recorded beside the backup it used ({@code <key>.drill.json}), so the
 * catalog can say which backups were ever restored and retention can keep the one that was.
 *
 * @param result          passed or failed
 * @param at              when the drill ended (ISO-8601, UTC)
 * @param recoveryMs      how long the restore took, or null when it did not get that far
 * @param sha256Verified  whether the restore checked the dump's SHA-256 against its manifest
 * @param runId           the drill's run, for `runbook show`
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record DrillRecord(String backup, String result, String at, Long recoveryMs, Long rows, Long tables,
                          Boolean sha256Verified, String runId) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public boolean passed() {
        return "passed".equals(result);
    }

    public byte[] toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
        } catch (IOException e) {
            throw new IllegalStateException("a drill record always serializes", e);
        }
    }

    public static DrillRecord fromJson(byte[] bytes) throws IOException {
        return JSON.readValue(bytes, DrillRecord.class);
    }
}
