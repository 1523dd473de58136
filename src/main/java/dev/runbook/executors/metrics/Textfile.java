package dev.runbook.executors.metrics;

import dev.runbook.spi.PrivateFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A node-exporter textfile ({@code <dir>/runbook_<job>_<database>.prom}). It is replaced
 * atomically (temporary file in the same directory, then rename), so the exporter never reads
 * half a file; metrics this run does not write (the last success time after a failed run) are
 * kept from the previous file.
 */
final class Textfile {

    private Textfile() {
    }

    static Path write(Path dir, String job, String database, List<Sample> samples) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve("runbook_" + job + "_" + database.replaceAll("[^A-Za-z0-9_.-]", "_") + ".prom");
        StringBuilder text = new StringBuilder();
        Set<String> written = samples.stream().map(Sample::name).collect(Collectors.toSet());
        if (Files.isRegularFile(file)) {
            for (String kept : keptBlocks(Files.readAllLines(file, StandardCharsets.UTF_8), written)) {
                text.append(kept).append('\n');
            }
        }
        samples.forEach(s -> text.append(s.render()));
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp"); // hidden: the exporter reads *.prom only
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            PrivateFiles.replace(tmp, file); // not private: the exporter's user reads it
        } finally {
            Files.deleteIfExists(tmp);
        }
        return file;
    }

    /** The previous file's lines about metrics not written now (their HELP, TYPE and samples). */
    private static List<String> keptBlocks(List<String> lines, Set<String> written) {
        List<String> kept = new ArrayList<>();
        for (String line : lines) {
            String name = metricOf(line);
            if (name != null && !written.contains(name)) {
                kept.add(line);
            }
        }
        return kept;
    }

    private static String metricOf(String line) {
        String l = line.trim();
        if (l.startsWith("# HELP ") || l.startsWith("# TYPE ")) {
            String[] parts = l.split("\\s+");
            return parts.length > 2 ? parts[2] : null;
        }
        if (l.isEmpty() || l.startsWith("#")) {
            return null;
        }
        int end = 0;
        while (end < l.length() && l.charAt(end) != '{' && !Character.isWhitespace(l.charAt(end))) {
            end++;
        }
        return l.substring(0, end);
    }
}
