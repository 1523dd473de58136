package dev.runbook.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.registry.ExecutorRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI in-process: every command, its output and its exit code. */
class CliTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void runner() {
        cli = new CliRunner(dir, Map.of());
    }

    @Test
    void versionAndHelp() {
        CliRunner.Result version = cli.run("--version");
        assertEquals(0, version.code(), version.toString());
        assertTrue(version.out().startsWith("runbook "), version.out());

        CliRunner.Result help = cli.run("--help");
        assertEquals(0, help.code(), help.toString());
        for (String command : new String[] {"validate", "plan", "run", "resume", "runs", "show", "graph", "executors", "schema"}) {
            assertTrue(help.out().contains(command), "help does not list " + command + ":\n" + help.out());
        }
        assertTrue(help.out().contains("Exit codes"), help.out());
    }

    @Test
    void validateAcceptsAGoodRunbook() {
        cli.copy("sequential.yaml");
        CliRunner.Result r = cli.run("validate", "sequential.yaml");
        assertEquals(ExitCodes.OK, r.code(), r.toString());
        assertTrue(r.out().contains("sequential.yaml: valid (4 steps)"), r.out());
    }

    @Test
    void validateCountsInProperEnglish() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("one.yaml"),
                "name: one\nsteps:\n  - id: only\n    uses: test.echo\n    with: { message: hi }\n");
        CliRunner.Result one = cli.run("validate", "one.yaml");
        assertTrue(one.out().contains("one.yaml: valid (1 step)"), one.out());
        java.nio.file.Files.writeString(dir.resolve("bad.yaml"),
                "name: bad\nsteps:\n  - id: only\n    uses: test.echo\n    with: { message: hi, nope: 1 }\n");
        CliRunner.Result bad = cli.run("validate", "bad.yaml");
        assertTrue(bad.err().contains("bad.yaml is not a valid runbook: 1 problem. Nothing was run."), bad.err());
    }

    @Test
    void executorsShowNestedKeysWithTypesAndDescriptions() {
        CliRunner.Result r = cli.run("executors", "http-check");
        assertEquals(0, r.code(), r.toString());
        String out = r.out();
        int expect = out.indexOf("      expect: map");
        assertTrue(expect >= 0, out);
        String nested = out.substring(expect);
        assertTrue(nested.contains("\n          status: list of string (a status code like 200 or a class like 2xx), default 200 — "), out);
        assertTrue(nested.contains("\n          body-contains: string — text the body must contain"), out);
        assertTrue(nested.contains("\n          json: map of any — "), out);
        assertTrue(out.contains("headers: map of string, may be a secret"), out);
    }

    @Test
    void validateReportsEveryProblemWithFileAndLine() {
        cli.copy("invalid.yaml");
        CliRunner.Result r = cli.run("validate", "invalid.yaml");
        assertEquals(ExitCodes.INVALID, r.code(), r.toString());
        assertTrue(Pattern.compile("invalid\\.yaml:8\\b").matcher(r.err()).find(), "no file:line for the unknown action: " + r.err());
        assertTrue(r.err().contains("no action 'ecko'"), r.err());
        assertTrue(Pattern.compile("invalid\\.yaml:11\\b").matcher(r.err()).find(), "no file:line for the unknown need: " + r.err());
        assertTrue(r.err().contains("nowhere"), r.err());
    }

    @Test
    void validateOfAMissingFileIsInvalid() {
        CliRunner.Result r = cli.run("validate", "no-such.yaml");
        assertEquals(ExitCodes.INVALID, r.code(), r.toString());
        assertTrue(r.err().contains("no-such.yaml"), r.err());
    }

    @Test
    void planAsTextAndJson() throws Exception {
        cli.copy("approval.yaml");
        CliRunner.Result text = cli.run("plan", "approval.yaml");
        assertEquals(0, text.code(), text.toString());
        assertTrue(text.out().contains("check") && text.out().contains("wipe"), text.out());
        assertTrue(text.out().contains("destroy the staging database"), text.out());
        assertTrue(Files.notExists(dir.resolve("wiped.marker")), "plan ran a step");
        assertTrue(Files.notExists(dir.resolve(".runbook/runs")), "plan recorded a run");

        CliRunner.Result json = cli.run("plan", "approval.yaml", "--format", "json");
        assertEquals(0, json.code(), json.toString());
        JsonNode plan = JSON.readTree(json.out());
        assertTrue(plan.toString().contains("\"wipe\""), plan.toPrettyString());
        assertTrue(plan.toString().contains("destroy the staging database"), plan.toPrettyString());
    }

    @Test
    void aSavedPlanRunsAndIsRefusedOnceTheRunbookChanged() throws Exception {
        Path file = cli.copy("sequential.yaml");
        CliRunner.Result plan = cli.run("plan", "sequential.yaml", "--out", "plan.json");
        assertEquals(0, plan.code(), plan.toString());
        assertTrue(Files.isRegularFile(dir.resolve("plan.json")));

        CliRunner.Result run = cli.run("run", "--plan", "plan.json");
        assertEquals(ExitCodes.OK, run.code(), run.toString());

        Files.writeString(file, Files.readString(file).replace("message: two", "message: changed"));
        CliRunner.Result refused = cli.run("run", "--plan", "plan.json");
        assertEquals(ExitCodes.INVALID, refused.code(), refused.toString());
        assertTrue(refused.err().contains("changed since the plan was made"), refused.err());
        assertEquals(1, runIds().size(), "the refused plan started a run");
    }

    @Test
    void runExitCodes() {
        cli.copy("sequential.yaml");
        cli.copy("conditions.yaml");
        cli.copy("approval.yaml");
        cli.copy("invalid.yaml");
        cli.copy("precondition-inputs.yaml");

        CliRunner.Result ok = cli.run("run", "sequential.yaml");
        assertEquals(ExitCodes.OK, ok.code(), ok.toString());

        CliRunner.Result failed = cli.run("run", "conditions.yaml", "--input", "fail=true");
        assertEquals(ExitCodes.STEP_FAILED, failed.code(), failed.toString());
        assertTrue(failed.out().contains("runbook resume "), "no hint how to resume: " + failed.out());

        CliRunner.Result invalid = cli.run("run", "invalid.yaml");
        assertEquals(ExitCodes.INVALID, invalid.code(), invalid.toString());

        CliRunner.Result missingInput = cli.run("run", "precondition-inputs.yaml");
        assertEquals(ExitCodes.INVALID, missingInput.code(), missingInput.toString());
        assertTrue(missingInput.err().contains("hours"), missingInput.err());

        CliRunner.Result notApproved = cli.run("run", "approval.yaml");
        assertEquals(ExitCodes.NOT_APPROVED, notApproved.code(), notApproved.toString());
        assertTrue(notApproved.out().contains("--approve wipe"), notApproved.out());
        assertFalse(Files.exists(dir.resolve("wiped.marker")));

        CliRunner.Result approved = cli.run("run", "approval.yaml", "--approve", "wipe");
        assertEquals(ExitCodes.OK, approved.code(), approved.toString());
        assertTrue(Files.exists(dir.resolve("wiped.marker")));
    }

    @Test
    void resumeFromTheCommandLine() throws Exception {
        cli.copy("resume.yaml");
        CliRunner.Result failed = cli.run("run", "resume.yaml");
        assertEquals(ExitCodes.STEP_FAILED, failed.code(), failed.toString());
        String id = runIds().iterator().next();

        CliRunner.Result resumed = cli.run("resume", id);
        assertEquals(ExitCodes.OK, resumed.code(), resumed.toString());
        assertEquals("1", Files.readString(dir.resolve("prepare.count")));
        assertEquals("2", Files.readString(dir.resolve("restore.count")));

        CliRunner.Result again = cli.run("resume", id);
        assertEquals(ExitCodes.OK, again.code(), again.toString());
        assertTrue(again.out().contains("already succeeded"), again.out());

        CliRunner.Result unknown = cli.run("resume", "no-such-run");
        assertEquals(ExitCodes.INVALID, unknown.code(), unknown.toString());
    }

    @Test
    void executorsListsEveryExecutorAndTheTestOne() {
        CliRunner.Result r = cli.run("executors");
        assertEquals(0, r.code(), r.toString());
        for (String name : ExecutorRegistry.load().executors().keySet()) {
            assertTrue(Pattern.compile("(?m)^" + Pattern.quote(name) + " — ").matcher(r.out()).find(), "missing executor " + name);
        }
        assertTrue(r.out().contains("uses: test.flaky"), r.out());
        assertTrue(r.out().contains("counter-file: string, required"), r.out());

        CliRunner.Result one = cli.run("executors", "test");
        assertEquals(0, one.code());
        assertTrue(one.out().startsWith("test — "), one.out());

        CliRunner.Result unknown = cli.run("executors", "nope");
        assertEquals(ExitCodes.INVALID, unknown.code());
        assertTrue(unknown.err().contains("available: "), unknown.err());
    }

    @Test
    void schemaIsJson() throws Exception {
        CliRunner.Result r = cli.run("schema");
        assertEquals(0, r.code(), r.toString());
        JsonNode schema = JSON.readTree(r.out());
        assertTrue(schema.has("$schema") || schema.has("properties"), schema.toString().substring(0, 200));
        assertTrue(r.out().contains("test.flaky"), "the schema does not know the test executor's actions");
    }

    @Test
    void graphAsMermaidAndDot() {
        cli.copy("parallel.yaml");
        CliRunner.Result mermaid = cli.run("graph", "parallel.yaml", "--format", "mermaid");
        assertEquals(0, mermaid.code(), mermaid.toString());
        assertTrue(mermaid.out().startsWith("flowchart TD"), mermaid.out());
        Map<String, String> node = new java.util.HashMap<>();
        java.util.regex.Matcher m = Pattern.compile("(?m)^  (s\\d+)\\[\"([a-z-]+)<br/>").matcher(mermaid.out());
        while (m.find()) {
            node.put(m.group(2), m.group(1));
        }
        for (String[] edge : new String[][] {{"start", "left"}, {"start", "right"}, {"left", "join"}, {"right", "join"}}) {
            String line = node.get(edge[0]) + " --> " + node.get(edge[1]);
            assertTrue(mermaid.out().contains(line), "no edge " + String.join(" --> ", edge) + ":\n" + mermaid.out());
        }
        assertFalse(mermaid.out().contains(node.get("left") + " --> " + node.get("right") + "\n"), mermaid.out());

        CliRunner.Result dot = cli.run("graph", "parallel.yaml", "--format", "dot");
        assertEquals(0, dot.code(), dot.toString());
        assertTrue(dot.out().startsWith("digraph \"parallel\""), dot.out());
        assertTrue(dot.out().contains("\"left\" -> \"join\""), dot.out());
        assertTrue(dot.out().trim().endsWith("}"), dot.out());

        CliRunner.Result bad = cli.run("graph", "parallel.yaml", "--format", "png");
        assertEquals(ExitCodes.INVALID, bad.code(), bad.toString());
    }

    @Test
    void runsDoesNotCountStepsThatNeverStartedAsDone() throws Exception {
        java.nio.file.Files.writeString(dir.resolve("breaks.yaml"), String.join("\n",
                "name: breaks",
                "steps:",
                "  - id: first",
                "    uses: test.echo",
                "    with: { message: one }",
                "  - id: breaks",
                "    uses: test.fail",
                "    needs: [first]",
                "  - id: after",
                "    uses: test.echo",
                "    needs: [breaks]",
                "    with: { message: never }",
                ""));
        CliRunner.Result run = cli.run("run", "breaks.yaml");
        assertEquals(1, run.code(), run.toString());

        CliRunner.Result runs = cli.run("runs");
        // first ran; breaks failed; after never started (it used to count as done: 2/3)
        assertTrue(runs.out().contains("failed") && runs.out().contains("1/3 done"), runs.out());
    }

    @Test
    void runsAndShow() throws Exception {
        cli.copy("outputs.yaml");
        CliRunner.Result none = cli.run("runs");
        assertEquals(0, none.code());
        assertTrue(none.out().contains("No runs yet"), none.out());

        assertEquals(0, cli.run("run", "outputs.yaml").code());
        String id = runIds().iterator().next();

        CliRunner.Result runs = cli.run("runs");
        assertEquals(0, runs.code(), runs.toString());
        Matcher line = Pattern.compile("(?m)^" + Pattern.quote(id) + "\\s+\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\s+outputs\\s+local\\s+succeeded\\s+2/2 done").matcher(runs.out());
        assertTrue(line.find(), runs.out());

        CliRunner.Result show = cli.run("show", id);
        assertEquals(0, show.code(), show.toString());
        assertTrue(show.out().contains("status: succeeded"), show.out());
        assertTrue(show.out().contains("consume succeeded"), show.out());
        assertTrue(show.out().contains("pg-main-7"), show.out());

        CliRunner.Result json = cli.run("show", id, "--json");
        assertEquals(0, json.code());
        JsonNode record = JSON.readTree(json.out()); // one document: a JSON parser reads it whole
        assertEquals(id, record.get("run").get("id").asText());
        assertEquals("succeeded", record.get("run").get("status").asText());
        assertEquals("consume", record.get("steps").get(1).get("id").asText(), json.out());

        CliRunner.Result missing = cli.run("show", "no-such-run");
        assertEquals(ExitCodes.INVALID, missing.code());
    }

    @Test
    void stateDirFromOptionAndEnvironment() throws Exception {
        cli.copy("outputs.yaml");
        assertEquals(0, cli.run("run", "outputs.yaml", "--state-dir", "elsewhere").code());
        assertTrue(Files.isDirectory(dir.resolve("elsewhere/runs")), "--state-dir was not resolved in the working directory");
        CliRunner.Result listed = cli.run("runs", "--state-dir", "elsewhere");
        assertTrue(listed.out().contains("outputs"), listed.toString());

        Path fromEnv = dir.resolve("env-state");
        CliRunner withEnv = new CliRunner(dir, Map.of("RUNBOOK_STATE_DIR", fromEnv.toString()));
        assertEquals(0, withEnv.run("run", "outputs.yaml").code());
        assertTrue(Files.isDirectory(fromEnv.resolve("runs")), "RUNBOOK_STATE_DIR was not used");
    }

    @Test
    void unknownOptionsAndCommandsAreUsageErrors() {
        CliRunner.Result option = cli.run("run", "--no-such-option", "x.yaml");
        assertEquals(ExitCodes.INVALID, option.code(), option.toString());
        assertTrue(option.err().contains("--no-such-option"), option.err());

        CliRunner.Result command = cli.run("restore-everything");
        assertEquals(ExitCodes.INVALID, command.code(), command.toString());

        CliRunner.Result nothing = cli.run("run");
        assertEquals(ExitCodes.INVALID, nothing.code(), nothing.toString());
    }

    private java.util.Set<String> runIds() throws Exception {
        Path runs = dir.resolve(".runbook/runs");
        if (!Files.isDirectory(runs)) {
            return java.util.Set.of();
        }
        try (var s = Files.list(runs)) {
            return s.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        }
    }
}
