package dev.runbook.executors.files;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checksum list {@code files.backup} writes beside the files
 * ({@code <prefix>runbook-files.manifest.json}), so a restore can verify files even from a
 * store that keeps no per-object metadata (or after someone copied the prefix by hand).
 *
 * @param files relative name → its checksum and size
 */
record FilesManifest(Map<String, Entry> files) {

    static final String NAME = "runbook-files.manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    record Entry(String sha256, long size) {
    }

    FilesManifest {
        files = new TreeMap<>(files);
    }

    byte[] toJson() throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this);
    }

    static FilesManifest read(InputStream in) throws IOException {
        return JSON.readValue(in, new TypeReference<FilesManifest>() { });
    }
}
