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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Property: whatever graph a runbook describes (random needs, conditions, preconditions that
 * read steps of any section, failures, allowed failures, sections), a run ends, and every step
 * of every section ends in exactly one state, recorded once in the journal and once in the
 * result. Seeded: a failure names the seed and the runbook; {@code -Dgraph.seed=N} replays it.
 */
class GeneratedGraphTerminationTest {

    private static final int RUNS = Integer.getInteger("graph.runs", 150);
    private static final List<String> SECTIONS = List.of("steps", "on-failure", "finally");

    @Test
    void everyGeneratedRunEndsAndEveryStepEndsOnce() throws Exception {
        long seed = Long.getLong("graph.seed", 20261204L);
        Random random = new Random(seed);
        // tmpfs: the journal forces every event to disk, which is not what this test measures
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path root = Files.createTempDirectory(base, "graphs");
        int loaded = 0;
        int blocked = 0;
        EngineFixture fx = new EngineFixture(root); // one registry for all; each runbook has its own name and lock
        try {
            for (int i = 0; i < RUNS; i++) {
                Map<String, List<String>> ids = new HashMap<>();
                String yaml = generate(random, i, ids);
                Path file = root.resolve("g" + i + ".yaml");
                Files.writeString(file, yaml);
                fx.maxParallel(1 + random.nextInt(3));
                Optional<ValidRunbook> valid = fx.tryLoad(file);
                if (valid.isEmpty()) {
                    continue; // rejected at validate time: never runs
                }
                loaded++;
                String context = "seed " + seed + ", runbook " + i + ":\n" + yaml;
                RunResult result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> fx.run(valid.get()),
                        "the run did not end; " + context);
                List<String> all = new ArrayList<>();
                SECTIONS.forEach(s -> all.addAll(ids.get(s)));
                List<String> inResult = result.steps().stream().map(RunResult.StepResult::id).sorted().toList();
                assertEquals(all.stream().sorted().toList(), inResult, "each step must end exactly once; " + context);
                List<String> journaled = fx.journal(result.runId()).stream()
                        .filter(e -> "step-finished".equals(e.get("event")) || "step-reused".equals(e.get("event")))
                        .map(e -> (String) e.get("step")).sorted().toList();
                assertEquals(inResult, journaled, "each step must be journaled as ended exactly once; " + context);
                boolean anyBlocked = result.steps().stream().anyMatch(s -> s.outcome() == Outcome.BLOCKED);
                if (anyBlocked) {
                    blocked++;
                    assertTrue(result.outcome().failure(), "a run with a blocked step cannot succeed; " + context);
                    result.steps().stream().filter(s -> s.outcome() == Outcome.BLOCKED).forEach(s ->
                            assertTrue(s.message() != null && s.message().startsWith("blocked: waits for "),
                                    s + "; " + context));
                }
                boolean anyFailed = result.steps().stream().anyMatch(s -> s.outcome() == Outcome.FAILED);
                if (anyFailed || anyBlocked) {
                    assertTrue(result.outcome().failure(), "the run's outcome must roll up its steps'; " + result + "; " + context);
                } else if (result.outcome().failure()) {
                    assertTrue(result.message().startsWith("precondition failed"),
                            "a run fails only by a step or a precondition; " + result + "; " + context);
                }
            }
        } finally {
            deleteTree(root);
        }
        assertTrue(loaded >= RUNS / 3, "too few generated runbooks were valid to prove anything: " + loaded + " of " + RUNS);
        System.out.println("generated graphs: " + loaded + " of " + RUNS + " valid and run, " + blocked + " with blocked steps");
    }

    @Test
    void aPreconditionThatWaitsForAnOnFailureStepBlocksTheMainStepsAndSaysWhy() throws Exception {
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        Path root = Files.createTempDirectory(base, "blocked");
        try {
            Path file = root.resolve("waits.yaml");
            Files.writeString(file, """
                    name: waits
                    preconditions:
                      - check: ${{ steps.page.outputs.number > 10 }}
                    steps:
                      - id: restore
                        uses: test.echo
                        with: { message: restore }
                    on-failure:
                      - id: page
                        uses: test.echo
                        with: { message: page }
                    """);
            EngineFixture fx = new EngineFixture(root);
            Optional<ValidRunbook> valid = fx.tryLoad(file);
            org.junit.jupiter.api.Assumptions.assumeTrue(valid.isPresent(), "rejected at validate time: it cannot run at all");
            RunResult result = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> fx.run(valid.get()),
                    "the run waited forever for a step that can only run after it");
            RunResult.StepResult restore = EngineFixture.step(result, "restore");
            assertEquals(Outcome.BLOCKED, restore.outcome(), result.toString());
            assertEquals("blocked: waits for the precondition `${{ steps.page.outputs.number > 10 }}`"
                    + " (it reads page, which cannot run before it)", restore.message());
            assertEquals(Outcome.BLOCKED, result.outcome(), result.toString());
            assertEquals(Outcome.SUCCEEDED, EngineFixture.step(result, "page").outcome(), "on-failure runs after a blocked run");
        } finally {
            deleteTree(root);
        }
    }

    /** A random runbook; {@code ids} receives the step ids of each section. */
    private static String generate(Random r, int n, Map<String, List<String>> ids) {
        StringBuilder y = new StringBuilder("name: g" + n + "\ndescription: generated graph " + n + "\n");
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
        int preconditions = r.nextInt(3);
        if (preconditions > 0) {
            y.append("preconditions:\n");
            for (int p = 0; p < preconditions; p++) {
                // mostly steps of any section (a later section's step can never run first), sometimes static
                y.append(r.nextInt(4) == 0 ? "  - check: ${{ 1 < 2 }}\n"
                        : "  - check: ${{ steps." + pick(r, everyStep) + ".outputs.number > 10 }}\n");
            }
        }
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
                int kind = r.nextInt(10);
                if (kind < 2) {
                    y.append("    uses: test.fail\n    with: { message: generated failure, retryable: false }\n");
                } else if (kind == 2) {
                    y.append("    uses: test.fail\n    continue-on-error: true\n    with: { message: allowed failure, retryable: false }\n");
                } else {
                    y.append("    uses: test.echo\n    with: { message: ").append(id).append(", number: ")
                            .append(r.nextBoolean() ? 42 : 5).append(" }\n");
                }
            }
        }
        return y.toString();
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
