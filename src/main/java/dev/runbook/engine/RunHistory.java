package dev.runbook.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Reads runs back from their journals: for {@code runbook runs}, {@code runbook show} and
 * for resuming (what each step last did, and its outputs).
 */
public final class RunHistory {

    private final Path runsDir;

    public RunHistory(Path stateDir) {
        this.runsDir = stateDir.resolve("runs");
    }

    public Path runDir(String runId) {
        return runsDir.resolve(runId);
    }

    /**
     * What a journal says about one step, as of its last event.
     *
     * @param rerunOnResume whether the step must run again on resume: some outputs were secrets (not
     *                      stored), or it kept a resource open for the run (a port-forward)
     */
    public record StepRecord(String id, Outcome outcome, Map<String, Object> outputs, boolean rerunOnResume,
                             String message) {
    }

    /** A run's summary: the first and last things its journal says. */
    public record RunSummary(String runId, String runbook, String file, String target, String started,
                             String status, String message, Map<String, Object> inputs, int invocations,
                             Map<String, StepRecord> steps, List<Map<String, Object>> events) {
    }

    public List<RunSummary> list() throws IOException {
        List<RunSummary> out = new ArrayList<>();
        if (!Files.isDirectory(runsDir)) {
            return out;
        }
        try (Stream<Path> dirs = Files.list(runsDir)) {
            for (Path d : dirs.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.isRegularFile(d.resolve(Journal.FILE))) {
                    out.add(read(d.getFileName().toString()).orElseThrow());
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    public Optional<RunSummary> read(String runId) throws IOException {
        Path dir = runsDir.resolve(runId).normalize();
        if (!dir.startsWith(runsDir) || !Files.isRegularFile(dir.resolve(Journal.FILE))) {
            return Optional.empty();
        }
        List<Map<String, Object>> events = Journal.read(dir);
        String runbook = null, file = null, target = null, started = null, message = null;
        String status = "interrupted"; // no run-finished event: the process died
        Map<String, Object> inputs = Map.of();
        int invocations = 0;
        Map<String, StepRecord> steps = new LinkedHashMap<>();
        for (Map<String, Object> e : events) {
            switch (String.valueOf(e.get("event"))) {
                case "run-started" -> {
                    invocations++;
                    status = "interrupted";
                    message = null;
                    if (runbook == null) {
                        runbook = (String) e.get("runbook");
                        file = (String) e.get("file");
                        target = (String) e.get("target");
                        started = (String) e.get("time");
                        inputs = (Map<String, Object>) e.getOrDefault("inputs", Map.of());
                    }
                }
                case "step-finished", "step-reused" -> {
                    String id = (String) e.get("step");
                    steps.put(id, new StepRecord(id, Outcome.valueOf(((String) e.get("outcome")).toUpperCase(Locale.ROOT).replace('-', '_')),
                            (Map<String, Object>) e.getOrDefault("outputs", Map.of()),
                            Boolean.TRUE.equals(e.get("rerun_on_resume")), (String) e.get("message")));
                }
                case "run-finished" -> {
                    status = String.valueOf(e.get("outcome"));
                    message = (String) e.get("message");
                }
                default -> { }
            }
        }
        return Optional.of(new RunSummary(runId, runbook, file, target, started, status, message, inputs, invocations,
                steps, events));
    }
}
