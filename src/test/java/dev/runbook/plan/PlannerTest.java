package dev.runbook.plan;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.parse.RunbookLoader;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.registry.ExecutorRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Plans compared with golden files ({@code src/test/resources/golden}). The plan names the
 * runbook's absolute path, which differs per checkout: it alone is replaced by {@code <FILE>};
 * everything else is compared exactly. After an intended change of the plan format, regenerate
 * with {@code mvn -o test -Dtest=PlannerTest -Dgolden.update=true} and review the diff.
 */
class PlannerTest {

    static final Path RUNBOOK = Path.of("src/test/resources/plan/restore.yaml");
    static final Path GOLDEN = Path.of("src/test/resources/golden");
    static final String TOKEN = "s3cr3t-Token-Value-42";
    static final Map<String, String> ENV = Map.of("GOLDEN_BUCKET", "prod-backups", "GOLDEN_TOKEN", TOKEN);

    private static ValidRunbook valid;
    private static Plan plan;

    @BeforeAll
    static void planIt() throws Exception {
        valid = new RunbookLoader(ExecutorRegistry.load()).load(RUNBOOK);
        plan = new Planner(ENV, null).plan(valid, Map.of(), Targets.choose(valid.runbook().target(), null));
    }

    private static String placeholders(String text) {
        return text.replace(RUNBOOK.toAbsolutePath().normalize().toString(), "<FILE>");
    }

    private static void assertGolden(String name, String actual) throws IOException {
        Path golden = GOLDEN.resolve(name);
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertEquals(Files.readString(golden, StandardCharsets.UTF_8), actual,
                golden + " differs; if the change is intended, regenerate with -Dgolden.update=true and review the diff");
    }

    @Test
    void textPlanMatchesGolden() throws IOException {
        assertGolden("restore-plan.txt", placeholders(PlanText.text(plan)));
    }

    @Test
    void jsonPlanMatchesGoldenAndReadsBack() throws IOException {
        String json = PlanText.json(plan);
        assertGolden("restore-plan.json", placeholders(json));
        assertEquals(json, PlanText.json(PlanText.fromJson(json)), "the JSON plan must read back to the same plan (run --plan)");
    }

    @Test
    void secretValueNeverAppearsInThePlan() {
        String text = PlanText.text(plan);
        String json = PlanText.json(plan);
        assertFalse(text.contains(TOKEN), text);
        assertFalse(json.contains(TOKEN), json);
        Plan.PlannedStep fetchA = step("fetch-a");
        assertEquals("Bearer ⟨from secrets.token⟩", fetchA.params().get("secret-param"));
    }

    @Test
    void destructiveStepIsFlaggedAndNeedsApproval() {
        Plan.PlannedStep wipe = step("wipe");
        assertTrue(wipe.destructive());
        assertTrue(wipe.needsApproval());
        assertTrue(PlanText.text(plan).contains("!! DESTRUCTIVE"));
        assertTrue(PlanText.text(plan).contains("1 DESTRUCTIVE, 1 needs approval"));
        assertFalse(step("find").destructive());
    }

    @Test
    void parallelGroupsAreWaves() {
        // check-number reads find's output, so it waits for find only and joins the fetches
        List<List<Plan.PlannedStep>> waves = plan.sections().get(0).waves();
        assertEquals(List.of(List.of("find"), List.of("fetch-a", "fetch-b", "check-number"), List.of("wipe"), List.of("only-when-dry")),
                waves.stream().map(w -> w.stream().map(Plan.PlannedStep::id).toList()).toList());
        assertTrue(PlanText.text(plan).contains("(these 3 run in parallel)"));
    }

    @Test
    void conditionsDecidedFromInputsOrAtRunTime() {
        assertEquals("skipped (if: is false)", step("only-when-dry").decision());
        assertEquals("decided at run time", step("check-number").decision());
        assertTrue(step("tell").decision().startsWith("decided at run time"));
        assertEquals("number ⟨from steps.find.outputs.number⟩", step("check-number").params().get("message"));
        assertEquals("holds", plan.preconditions().get(0).state());
    }

    @Test
    void inputDefaultReadsEnvironment() {
        assertEquals("prod-backups", plan.inputs().get("bucket"));
        assertEquals("latest in prod-backups", step("find").params().get("message"));
    }

    @Test
    void planningTouchesNothing(@TempDir Path dir) throws Exception {
        // the same runbook in a fresh directory: steps there would write files when run
        Path copy = dir.resolve("restore.yaml");
        Files.copy(RUNBOOK, copy);
        ValidRunbook v = new RunbookLoader(ExecutorRegistry.load()).load(copy);
        new Planner(ENV, null).plan(v, Map.of("dry", "true"), Targets.choose(v.runbook().target(), null));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(copy), files.toList(), "planning created files");
        }
    }

    @Test
    void wrongInputsStopThePlanWithEveryProblem() {
        InvalidRunbookException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidRunbookException.class,
                () -> new Planner(ENV, null).plan(valid, Map.of("keep", "many", "dyr", "true"),
                        Targets.choose(valid.runbook().target(), null)));
        List<String> messages = e.problems().stream().map(p -> p.message()).toList();
        assertTrue(messages.contains("unknown input 'dyr'"), messages.toString());
        assertTrue(messages.contains("the value given for input 'keep' is not valid: expected a whole number, got 'many'"), messages.toString());
        // the list of inputs shows the wrong value as given, not the input as "not set"
        String help = PlanText.inputs(((InputsNotBound) e).inputs());
        assertTrue(help.matches("(?s).*\\n  keep += many  \\(given, not valid\\).*"), help);
    }

    private static Plan.PlannedStep step(String id) {
        return plan.sections().stream().flatMap(s -> s.waves().stream()).flatMap(List::stream)
                .filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError("no step " + id));
    }
}
