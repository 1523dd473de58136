package dev.runbook.parse;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Location;
import dev.runbook.model.Problem;
import dev.runbook.model.Runbook;
import dev.runbook.registry.ExecutorRegistry;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a runbook file and checks it completely: YAML (with hostile-input guards), the JSON
 * Schema, then meaning ({@link RunbookValidator}). Every problem is collected and reported
 * at once; nothing runs unless there are none. Runbooks it calls are loaded the same way.
 */
public final class RunbookLoader {

    private final ExecutorRegistry registry;
    private final SchemaCheck schema = new SchemaCheck();
    private final Map<Path, ValidRunbook> loaded = new HashMap<>();
    private final Deque<Path> loading = new ArrayDeque<>();

    public RunbookLoader(ExecutorRegistry registry) {
        this.registry = registry;
    }

    public ExecutorRegistry registry() {
        return registry;
    }

    public ValidRunbook load(Path file) throws InvalidRunbookException {
        Path abs = file.toAbsolutePath().normalize();
        ValidRunbook cached = loaded.get(abs);
        if (cached != null) {
            return cached;
        }
        String name = displayName(abs);
        if (loading.contains(abs)) {
            List<String> chain = new ArrayList<>();
            loading.descendingIterator().forEachRemaining(p -> chain.add(p.getFileName().toString()));
            chain.add(abs.getFileName().toString());
            throw new InvalidRunbookException(List.of(Problem.at(Location.unknown(name),
                    "runbooks call each other in a cycle: " + String.join(" → ", chain))));
        }
        String text;
        try {
            if (Files.size(abs) > YamlTree.MAX_BYTES) {
                int line = 1;
                try (java.io.InputStream in = Files.newInputStream(abs)) {
                    for (byte b : in.readNBytes(YamlTree.MAX_BYTES)) {
                        line += b == '\n' ? 1 : 0;
                    }
                }
                throw new InvalidRunbookException(List.of(Problem.at(new Location(name, line, 1),
                        "file is larger than 8 MiB (the limit is reached on this line); a runbook never needs that much")));
            }
            text = utf8(name, Files.readAllBytes(abs));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new InvalidRunbookException(List.of(Problem.at(Location.unknown(name), "no such file")));
        } catch (IOException e) {
            throw new InvalidRunbookException(List.of(Problem.at(Location.unknown(name), "cannot read: " + e.getMessage())));
        }
        YamlTree.Result parsed = YamlTree.parse(name, text);
        if (!parsed.problems().isEmpty()) {
            throw new InvalidRunbookException(parsed.problems());
        }
        List<Problem> problems = schema.check(parsed.tree());
        if (!(parsed.tree().root() instanceof Map<?, ?>)) {
            throw new InvalidRunbookException(problems); // nothing else to read
        }
        // fields of the wrong shape do not stop the checks of the parts that parse: every problem at once
        Runbook runbook = new RunbookReader(parsed.tree(), abs).read();
        loading.push(abs);
        try {
            ValidRunbook valid = new RunbookValidator(registry, this, runbook, text, problems).validate();
            loaded.put(abs, valid);
            return valid;
        } finally {
            loading.pop();
        }
    }

    /** The text, or the line and column of the first byte that is not UTF-8 (a file saved as Latin-1, say). */
    public static String utf8(String name, byte[] bytes) throws InvalidRunbookException {
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            int at = in.position();
            int line = 1;
            int lineStart = 0;
            for (int i = 0; i < at; i++) {
                if (bytes[i] == '\n') {
                    line++;
                    lineStart = i + 1;
                }
            }
            int column = new String(bytes, lineStart, at - lineStart, StandardCharsets.UTF_8).length() + 1;
            throw new InvalidRunbookException(List.of(Problem.at(new Location(name, line, column), String.format(java.util.Locale.ROOT,
                    "byte 0x%02X is not UTF-8 text; save the file as UTF-8 (it may have been saved as Latin-1 or Windows-1252)",
                    bytes[at] & 0xff))));
        }
        decoder.flush(out);
        return out.flip().toString();
    }

    /** Paths in messages are relative to the working directory when they can be: shorter to read. */
    static String displayName(Path abs) {
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
