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
                throw new InvalidRunbookException(List.of(Problem.at(Location.unknown(name),
                        "file is larger than 8 MiB; a runbook never needs that much")));
            }
            text = Files.readString(abs, StandardCharsets.UTF_8);
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

    /** Paths in messages are relative to the working directory when they can be: shorter to read. */
    static String displayName(Path abs) {
        Path cwd = Path.of("").toAbsolutePath();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }
}
