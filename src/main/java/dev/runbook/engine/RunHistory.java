package dev.runbook.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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

        /**
         * Whether the step is done: it ran (or its own {@code if:} skipped it). A step that never
         * started because an earlier one failed is not, whatever its outcome says.
         */
        public boolean done() {
            return outcome.done() && !(outcome == Outcome.SKIPPED && message != null
                    && message.startsWith(StepEnd.NOT_STARTED));
        }
    }

    /** A run's summary: the first and last things its journal says. */
    public record RunSummary(String runId, String runbook, String file, String target, String started,
                             String status, String message, Map<String, Object> inputs, int invocations,
                             Map<String, StepRecord> steps, List<Map<String, Object>> events) {

        /** The runbook's {@link RunbookIdentity} as journaled when the run started (null for older runs). */
        public String runbookId() {
            return events.isEmpty() ? null : (String) events.get(0).get("runbook_id");
        }
    }

    /**
     * What a run reference ({@link #find}) named: the run, or nothing and the runs it could mean.
     *
     * @param candidates every run id the reference matched (more than one: ambiguous)
     */
    public record Lookup(Optional<RunSummary> run, List<String> candidates) {
    }

    /** The keyword that names the newest run. */
    public static final String LAST = "last";

    /** Every run, newest first (by when it started). */
    public List<RunSummary> list() throws IOException {
        List<RunSummary> out = new ArrayList<>();
        for (String id : runIds()) {
            read(id).ifPresent(out::add);
        }
        out.sort(NEWEST_FIRST);
        return out;
    }

    private static final Comparator<RunSummary> NEWEST_FIRST = Comparator
            .comparing((RunSummary r) -> startedAt(r)).thenComparing(RunSummary::runId).reversed();

    private static Instant startedAt(RunSummary r) {
        try {
            return r.started() == null ? Instant.MIN : Instant.parse(r.started());
        } catch (java.time.format.DateTimeParseException e) {
            return Instant.MIN; // a journal edited by hand: listed last rather than not at all
        }
    }

    private static String startSecond(String runId) {
        int dash = runId.indexOf('-');
        return dash < 0 ? runId : runId.substring(0, dash);
    }

    /** A run by its id, by a unique prefix of its id, or {@code last} (the newest). */
    public Lookup find(String ref) throws IOException {
        List<String> ids = runIds();
        if (ref.equals(LAST)) {
            // ids start with their start second (UTC): only the runs of the newest second need reading
            String newestSecond = ids.stream().map(RunHistory::startSecond).max(Comparator.naturalOrder()).orElse(null);
            List<RunSummary> newest = new ArrayList<>();
            for (String id : ids) {
                if (startSecond(id).equals(newestSecond)) {
                    read(id).ifPresent(newest::add);
                }
            }
            newest.sort(NEWEST_FIRST);
            return new Lookup(newest.stream().findFirst(), newest.isEmpty() ? List.of() : List.of(newest.get(0).runId()));
        }
        if (ids.contains(ref)) {
            return new Lookup(read(ref), List.of(ref));
        }
        List<String> matching = ref.isEmpty() ? List.of() : ids.stream().filter(id -> id.startsWith(ref)).sorted().toList();
        return new Lookup(matching.size() == 1 ? read(matching.get(0)) : Optional.empty(), matching);
    }

    private List<String> runIds() throws IOException {
        if (!Files.isDirectory(runsDir)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(runsDir)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(Journal.FILE)))
                    .map(d -> d.getFileName().toString()).toList();
        }
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
                    }
                    // every invocation records its inputs: a resume may have corrected some
                    inputs = (Map<String, Object>) e.getOrDefault("inputs", inputs);
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
