package dev.runbook.engine;

import dev.runbook.parse.ValidRunbook;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property: whatever graph a runbook describes (random needs, conditions, preconditions that
 * read steps of any section, failures, allowed failures, sleeps, calls of other runbooks,
 * deadlines and grace periods, sections), a run ends, and every step of every section (and of
 * every runbook a started step calls) ends in exactly one state, recorded once in the journal
 * and once in the result. Preconditions that validate refuses are also run past it, so the
 * engine's own guards (blocked steps, undecidable preconditions) are exercised.
 * Seeded: a failure names the seed and the runbook; {@code -Dgraph.seed=N} replays it.
 */
class GeneratedGraphTerminationTest {

    private static final int RUNS = Integer.getInteger("graph.runs", 150);
    private static final List<String> SECTIONS = List.of("steps", "on-failure", "finally");
    /** The runbooks generated steps call, and the ids of their steps (every section). */
    private static final Map<String, List<String>> CHILDREN = Map.of(
            "child-ok", List.of("c0", "c1", "cf"),
            "child-fail", List.of("c0", "c1", "co"),
            "child-slow", List.of("c0", "cf"));

    /** A generated runbook: as written, and without its preconditions (to attach them past the validator). */
    record Generated(String yaml, String bare, List<String> checks, Map<String, List<String>> ids, Map<String, String> calls) {
    }

    @Test
    void everyGeneratedRunEndsAndEveryStepEndsOnce() throws Exception {
        long seed = Long.getLong("graph.seed", 20261204L);
        Random random = new Random(seed);
        Path root = Files.createTempDirectory(base(), "graphs");
        int checked = 0;
        int unchecked = 0;
        int blocked = 0;
        int calls = 0;
        int deadlines = 0;
        int deadlinesReached = 0;
        EngineFixture fx = new EngineFixture(root); // one registry for all; each runbook has its own name and lock
        try {
            writeChildren(root);
            for (int i = 0; i < RUNS; i++) {
                Generated g = generate(random, i);
                Path file = root.resolve("g" + i + ".yaml");
                Files.writeString(file, g.yaml());
                fx.maxParallel(1 + random.nextInt(3));
                Optional<ValidRunbook> valid = fx.tryLoad(file);
                if (valid.isPresent()) {
                    checked++;
                } else {
                    // refused (perhaps only for its preconditions): the same graph, its preconditions attached past validate
                    Path bare = root.resolve("g" + i + "-bare.yaml");
                    Files.writeString(bare, g.bare());
                    valid = fx.tryLoad(bare).map(v -> EngineFixture.withPreconditionsUnchecked(v, g.checks()));
                    if (valid.isEmpty() || g.checks().isEmpty()) {
                        continue; // invalid for other reasons: never runs
                    }
                    unchecked++;
                }
                String context = "seed " + seed + ", runbook " + i + (valid.get().runbook().file().equals(file) ? "" : " (preconditions past validate)")
                        + ":\n" + g.yaml();
                ValidRunbook run = valid.get();
                RunResult result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> fx.run(run),
                        "the run did not end; " + context);
                List<Map<String, Object>> journal = fx.journal(result.runId());
                Set<String> started = journal.stream().filter(e -> "step-started".equals(e.get("event")))
                        .map(e -> (String) e.get("step")).collect(Collectors.toSet());
                List<String> all = new ArrayList<>();
                SECTIONS.forEach(sec -> all.addAll(g.ids().get(sec)));
                g.calls().forEach((caller, child) -> {
                    if (started.contains(caller)) { // a call that started ends every step of the runbook it calls
                        CHILDREN.get(child).forEach(c -> all.add(caller + "/" + c));
                    }
                });
                calls += (int) g.calls().keySet().stream().filter(started::contains).count();
                deadlines += run.runbook().deadline() != null ? 1 : 0;
                deadlinesReached += result.message().startsWith("deadline exceeded") ? 1 : 0;
                List<String> inResult = result.steps().stream().map(RunResult.StepResult::id).sorted().toList();
                assertEquals(all.stream().sorted().toList(), inResult, "each step must end exactly once; " + context);
                List<String> journaled = journal.stream()
                        .filter(e -> "step-finished".equals(e.get("event")) || "step-reused".equals(e.get("event")))
                        .map(e -> (String) e.get("step")).sorted().toList();
                assertEquals(inResult, journaled, "each step must be journaled as ended exactly once; " + context);
                boolean anyBlocked = result.steps().stream().anyMatch(st -> st.outcome() == Outcome.BLOCKED);
                if (anyBlocked) {
                    blocked++;
                    result.steps().stream().filter(st -> st.outcome() == Outcome.BLOCKED).forEach(st ->
                            assertTrue(st.message() != null && st.message().startsWith("blocked: waits for "),
                                    st + "; " + result + "; " + context));
                }
                // a called runbook's failure reaches the run through its calling step (which may allow it)
                boolean anyFailure = result.steps().stream().anyMatch(st -> !st.id().contains("/") && st.outcome().failure());
                if (anyFailure) {
                    assertTrue(result.outcome().failure(), "the run's outcome must roll up its steps'; " + result + "; " + context);
                } else if (result.outcome().failure()) {
                    assertTrue(result.message().startsWith("precondition failed") || result.message().startsWith("deadline exceeded"),
                            "a run fails only by a step, a precondition or its deadline; " + result + "; " + context);
                }
            }
        } finally {
            deleteTree(root);
        }
        String counts = checked + " valid, " + unchecked + " with preconditions past validate, of " + RUNS + "; " + blocked
                + " with blocked steps, " + calls + " runbook calls started, " + deadlines + " with a deadline (" + deadlinesReached
                + " reached)";
        System.out.println("generated graphs: " + counts);
        assertTrue(checked >= RUNS / 3, "too few generated runbooks were valid to prove anything: " + counts);
        assertTrue(blocked > 0 && calls > 0 && deadlinesReached > 0,
                "the generator must reach blocked steps, calls and deadlines that run out: " + counts);
    }

    @Test
    void aPreconditionThatWaitsForAnOnFailureStepBlocksTheMainStepsAndSaysWhy() throws Exception {
        Path root = Files.createTempDirectory(base(), "blocked");
        try {
            String steps = """
                    steps:
                      - id: restore
                        uses: test.echo
                        with: { message: restore }
                    on-failure:
                      - id: page
                        uses: test.echo
                        with: { message: page }
                    """;
            String check = "${{ steps.page.outputs.number > 10 }}";
            EngineFixture fx = new EngineFixture(root);
            Path file = Files.writeString(root.resolve("waits.yaml"), "name: waits\npreconditions:\n  - check: " + check + "\n" + steps);
            assertTrue(fx.tryLoad(file).isEmpty(), "validate must refuse a precondition that reads an on-failure step");
            // past validate, the engine must still end the run, and say what the main steps wait for
            ValidRunbook valid = EngineFixture.withPreconditionsUnchecked(
                    fx.load(Files.writeString(root.resolve("bare.yaml"), "name: waits\n" + steps)), List.of(check));
            RunResult result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> fx.run(valid),
                    "the run waited forever for a step that can only run after it");
            RunResult.StepResult restore = EngineFixture.step(result, "restore");
            assertEquals(Outcome.BLOCKED, restore.outcome(), result.toString());
            assertEquals("blocked: waits for the precondition `" + check + "` (it reads page, which cannot run before it)",
                    restore.message());
            assertEquals(Outcome.BLOCKED, result.outcome(), result.toString());
            assertEquals(Outcome.SUCCEEDED, EngineFixture.step(result, "page").outcome(), "on-failure runs after a blocked run");
            assertEquals(List.of("restore"), fx.events(result.runId(), "step-finished", null).stream()
                    .filter(e -> "blocked".equals(e.get("outcome"))).map(e -> e.get("step")).toList());
        } finally {
            deleteTree(root);
        }
    }

    private static Path base() {
        // tmpfs: the journal forces every event to disk, which is not what this test measures
        return Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** The runbooks generated steps call ({@code src/test/resources/engine/generated/}). */
    private static void writeChildren(Path root) throws java.io.IOException {
        for (String child : CHILDREN.keySet()) {
            try (java.io.InputStream in = GeneratedGraphTerminationTest.class.getResourceAsStream("/engine/generated/" + child + ".yaml")) {
                Files.write(root.resolve(child + ".yaml"), java.util.Objects.requireNonNull(in, child).readAllBytes());
            }
        }
    }

    /** A random runbook. */
    private static Generated generate(Random r, int n) {
        Map<String, List<String>> ids = new HashMap<>();
        Map<String, String> calls = new HashMap<>();
        StringBuilder head = new StringBuilder("name: g" + n + "\ndescription: generated graph " + n + "\n");
        if (r.nextInt(4) == 0) {
            head.append("deadline: ").append(10 + r.nextInt(120)).append("ms\n");
            if (r.nextBoolean()) {
                head.append("grace: ").append(1 + r.nextInt(60)).append("ms\n");
            }
        }
        int[] sizes = {1 + r.nextInt(7), r.nextInt(3), r.nextInt(3)};
        for (int s = 0; s < SECTIONS.size(); s++) {
            List<String> list = new ArrayList<>();
            for (int k = 0; k < sizes[s]; k++) {
                list.add(SECTIONS.get(s).charAt(0) + "" + k);
            }
            ids.put(SECTIONS.get(s), list);
        }
        List<String> everyStep = new ArrayList<>();
        SECTIONS.forEach(s -> everyStep.addAll(ids.get(s)));
        List<String> checks = new ArrayList<>();
        StringBuilder pre = new StringBuilder();
        int preconditions = r.nextInt(3);
        if (preconditions > 0) {
            pre.append("preconditions:\n");
            for (int p = 0; p < preconditions; p++) {
                // mostly steps of any section (a later section's step can never run first), sometimes static
                String check = r.nextInt(4) == 0 ? "${{ 1 < 2 }}" : "${{ steps." + pick(r, everyStep) + ".outputs.number > 10 }}";
                checks.add(check);
                pre.append("  - check: ").append(check).append('\n');
            }
        }
        StringBuilder y = new StringBuilder();
        for (String section : SECTIONS) {
            List<String> list = ids.get(section);
            if (list.isEmpty()) {
                continue;
            }
            y.append(section).append(":\n");
            for (int k = 0; k < list.size(); k++) {
                String id = list.get(k);
                y.append("  - id: ").append(id).append('\n');
                List<String> earlier = list.subList(0, k);
                int needs = r.nextInt(4);
                if (needs == 1) {
                    y.append("    needs: []\n");
                } else if (needs == 2 && !earlier.isEmpty()) {
                    y.append("    needs: [").append(pick(r, earlier)).append("]\n");
                } else if (needs == 3 && r.nextInt(10) == 0) {
                    y.append("    needs: [").append(id).append("]\n"); // itself: validate may reject it
                }
                int condition = r.nextInt(8);
                switch (condition) {
                    case 0 -> y.append("    if: ${{ always() }}\n");
                    case 1 -> y.append("    if: ${{ failure() }}\n");
                    case 2 -> y.append("    if: ${{ success() }}\n");
                    case 3 -> {
                        if (!earlier.isEmpty()) {
                            y.append("    if: ${{ steps.").append(pick(r, earlier)).append(".outputs.number > 10 }}\n");
                        }
                    }
                    default -> { }
                }
                int kind = r.nextInt(13);
                if (kind < 2) {
                    y.append("    uses: test.fail\n    with: { message: generated failure, retryable: false }\n");
                } else if (kind == 2) {
                    y.append("    uses: test.fail\n    continue-on-error: true\n    with: { message: allowed failure, retryable: false }\n");
                } else if (kind == 3) {
                    y.append("    uses: test.sleep\n    with: { for: ").append(5 + r.nextInt(50)).append("ms }\n");
                } else if (kind <= 5) {
                    String child = pick(r, List.of("child-ok", "child-fail", "child-slow"));
                    calls.put(id, child);
                    y.append("    uses: ./").append(child).append(".yaml\n");
                    if (r.nextInt(3) == 0) {
                        y.append("    continue-on-error: true\n");
                    }
                } else {
                    y.append("    uses: test.echo\n    with: { message: ").append(id).append(", number: ")
                            .append(r.nextBoolean() ? 42 : 5).append(" }\n");
                }
            }
        }
        return new Generated(head + pre.toString() + y, head.toString() + y, checks, ids, calls);
    }

    private static String pick(Random r, List<String> from) {
        return from.get(r.nextInt(from.size()));
    }

    private static void deleteTree(Path root) throws java.io.IOException {
        try (var files = Files.walk(root)) {
            for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
