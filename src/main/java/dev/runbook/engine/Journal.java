package dev.runbook.engine;

import dev.runbook.spi.PrivateFiles;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The durable record of one run: one JSON object per line, appended and forced to disk as
 * each event happens, so a crash (kill -9, power loss) loses nothing that finished. Events
 * hold no secret: everything passes the {@link SecretMasker} first. The file is owner-only.
 */
public final class Journal implements AutoCloseable {

    public static final String FILE = "journal.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper();

    // A plain FileOutputStream, not a FileChannel: a channel is closed for good when the thread
    // writing to it is interrupted, and steps are interrupted on timeout and cancellation.
    private final FileOutputStream out;
    private final SecretMasker masker;

    private Journal(FileOutputStream out, SecretMasker masker) {
        this.out = out;
        this.masker = masker;
    }

    /** Opens (creating, 0600) the journal in a run directory for appending. */
    public static Journal open(Path runDir, SecretMasker masker) throws IOException {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            PrivateFiles.createFile(file);
        }
        return new Journal(new FileOutputStream(file.toFile(), true), masker);
    }

    /** Appends one event, timed now, and forces it to disk. Fields are masked; insertion order is kept. */
    public void append(String event, Map<String, Object> fields) {
        append(event, Instant.now(), fields);
    }

    /**
     * Appends one event that happened at {@code time} (taken by the caller when it happened, not
     * when this lock, held while another event is forced to disk, let it in: a step's bars and
     * its duration are measured from the same instants).
     */
    public synchronized void append(String event, Instant time, Map<String, Object> fields) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("time", time.toString());
        record.put("event", event);
        fields.forEach((k, v) -> record.put(k, masker.redact(v)));
        try {
            out.write((JSON.writeValueAsString(record) + "\n").getBytes(StandardCharsets.UTF_8));
            out.getFD().sync();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the run journal: " + e.getMessage(), e);
        }
    }

    /** Every event of a journal; a torn last line (crash mid-write) is ignored. */
    public static List<Map<String, Object>> read(Path runDir) throws IOException {
        List<Map<String, Object>> events = new ArrayList<>();
        for (String line : Files.readAllLines(runDir.resolve(FILE), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                events.add(JSON.readValue(line, new TypeReference<Map<String, Object>>() { }));
            } catch (IOException torn) {
                break;
            }
        }
        return events;
    }

    @Override
    public synchronized void close() {
        try {
            out.close();
        } catch (IOException ignored) {
            // closing after fsync'd appends cannot lose data
        }
    }
}
