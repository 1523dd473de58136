package dev.runbook.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs and locks follow the runbook and the user, not the working directory: the per-user
 * state directory, the lock across directories, {@code last} and id prefixes, {@code runs}
 * filtered by runbook, and {@code resume --input}. Every test gives HOME (or the state
 * variables) explicitly: nothing is written to the real home directory.
 */
class RunStateCliTest {

    private static final Pattern RUN_ID = Pattern.compile("\\d{8}T\\d{6}Z-[a-z-]+-[0-9a-f]{4}");

    @TempDir
    Path dir;

    private Map<String, String> home() {
        return Map.of("HOME", dir.resolve("home").toString());
    }

    private Path defaultState() {
        return dir.resolve("home/.local/state/runbook");
    }

    @Test
    void runsAreKeptInThePerUserStateDirectoryWhateverTheWorkingDirectory() throws Exception {
        CliRunner inA = new CliRunner(Files.createDirectories(dir.resolve("a")), home());
        CliRunner inB = new CliRunner(Files.createDirectories(dir.resolve("b")), home());
        inA.copy("outputs.yaml");
        CliRunner.Result ran = inA.run("run", "outputs.yaml");
        assertEquals(0, ran.code(), ran.toString());

        assertTrue(Files.isDirectory(defaultState().resolve("runs")), "runs are not under ~/.local/state/runbook");
        assertFalse(Files.exists(dir.resolve("a/.runbook")), "a run still wrote ./.runbook");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(defaultState())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(defaultState().resolve("runs"))));

        CliRunner.Result listed = inB.run("runs");
        assertEquals(0, listed.code(), listed.toString());
        assertTrue(listed.out().contains(runId(ran)), "another directory does not see the run: " + listed);
        CliRunner.Result shown = inB.run("show", "last");
        assertEquals(0, shown.code(), shown.toString());
        assertTrue(shown.out().contains("Run " + runId(ran)), shown.toString());
    }

    @Test
    void xdgStateHomeAndRunbookStateDirComeFirst() throws Exception {
        Path work = Files.createDirectories(dir.resolve("w"));
        new CliRunner(work, Map.of()).copy("outputs.yaml");
        Path xdg = dir.resolve("xdg");
        assertEquals(0, new CliRunner(work, Map.of("HOME", dir.resolve("home").toString(), "XDG_STATE_HOME", xdg.toString()))
                .run("run", "outputs.yaml").code());
        assertTrue(Files.isDirectory(xdg.resolve("runbook/runs")), "XDG_STATE_HOME was not used");
        assertFalse(Files.exists(defaultState()), "HOME was used although XDG_STATE_HOME is set");

        // the XDG spec: a relative XDG_STATE_HOME is ignored
        assertEquals(0, new CliRunner(work, Map.of("HOME", dir.resolve("home").toString(), "XDG_STATE_HOME", "rel"))
                .run("run", "outputs.yaml").code());
        assertTrue(Files.isDirectory(defaultState().resolve("runs")));
        assertFalse(Files.exists(work.resolve("rel")));

        Path explicit = dir.resolve("explicit");
        assertEquals(0, new CliRunner(work, Map.of("XDG_STATE_HOME", xdg.toString(), "RUNBOOK_STATE_DIR", explicit.toString()))
                .run("run", "outputs.yaml").code());
        assertTrue(Files.isDirectory(explicit.resolve("runs")), "RUNBOOK_STATE_DIR does not come first");
    }

    @Test
    void aSecondRunOfTheSameRunbookFromAnotherDirectoryIsRefusedAndLeavesNothing() throws Exception {
        Path ops = Files.createDirectories(dir.resolve("ops"));
        new CliRunner(ops, home()).copy("hold.yaml");
        CliRunner fromOps = new CliRunner(ops, home());
        CliRunner fromElsewhere = new CliRunner(Files.createDirectories(dir.resolve("tmp/other")), home());

        CompletableFuture<CliRunner.Result> first = CompletableFuture.supplyAsync(() -> fromOps.run("run", "hold.yaml"));
        String holder = RunLockCliTest.awaitStepStarted(defaultState().resolve("runs"));
        CliRunner.Result second = fromElsewhere.run("run", "../../ops/hold.yaml");
        assertEquals(ExitCodes.LOCKED, second.code(), second.toString());
        assertTrue(second.err().contains("run " + holder) && second.err().contains("pid " + ProcessHandle.current().pid())
                && second.err().contains("user " + System.getProperty("user.name")), second.err());
        assertFalse(first.isDone(), "the holder ended too early for this test to mean anything");
        assertEquals(List.of(holder), runDirs(), "the refused run left a run directory behind");

        assertEquals(0, first.get(30, TimeUnit.SECONDS).code());
        assertEquals(0, fromElsewhere.run("run", "../../ops/hold.yaml").code(), "the lock was not released");
    }

    @Test
    void aRunIsNamedByLastOrByAUniquePrefixAndAnAmbiguousOneListsTheCandidates() throws Exception {
        CliRunner cli = new CliRunner(dir, home());
        cli.copy("outputs.yaml");
        cli.copy("hold.yaml");
        String older = runId(cli.run("run", "outputs.yaml"));
        String newer = runId(cli.run("run", "hold.yaml"));

        CliRunner.Result last = cli.run("show", "last");
        assertEquals(0, last.code(), last.toString());
        assertTrue(last.out().startsWith("Run " + newer), last.out());

        String prefix = older.substring(0, older.length() - 2);
        CliRunner.Result byPrefix = cli.run("show", prefix);
        assertEquals(0, byPrefix.code(), byPrefix.toString());
        assertTrue(byPrefix.out().startsWith("Run " + older), byPrefix.out());

        CliRunner.Result ambiguous = cli.run("show", "2");
        assertEquals(ExitCodes.INVALID, ambiguous.code(), ambiguous.toString());
        assertTrue(ambiguous.err().contains("could be any of 2 runs") && ambiguous.err().contains(older)
                && ambiguous.err().contains(newer), ambiguous.err());

        CliRunner.Result none = cli.run("resume", "nosuchrun");
        assertEquals(ExitCodes.INVALID, none.code(), none.toString());
        assertTrue(none.err().contains("no run 'nosuchrun' in " + defaultState()), none.err());

        CliRunner.Result resumeLast = cli.run("resume", "last");
        assertEquals(0, resumeLast.code(), resumeLast.toString());
        assertTrue(resumeLast.out().contains(newer + " already succeeded"), resumeLast.toString());
    }

    @Test
    void runsListsEveryRunNewestFirstAndFiltersByRunbook() throws Exception {
        CliRunner cli = new CliRunner(dir, home());
        cli.copy("outputs.yaml");
        cli.copy("hold.yaml");
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < 22; i++) { // more than the old default limit of 20
            ids.add(runId(cli.run("run", i == 21 ? "hold.yaml" : "outputs.yaml")));
        }
        String all = cli.run("runs").out();
        for (String id : ids) {
            assertTrue(all.contains(id), "runs left out " + id);
        }
        assertTrue(all.indexOf(ids.get(21)) < all.indexOf(ids.get(20)) && all.indexOf(ids.get(1)) < all.indexOf(ids.get(0)),
                "not newest first:\n" + all);

        CliRunner elsewhere = new CliRunner(Files.createDirectories(dir.resolve("x/y")), home());
        String byFile = elsewhere.run("runs", "--runbook", "../../hold.yaml").out();
        assertTrue(byFile.contains(ids.get(21)) && !byFile.contains(ids.get(0)), byFile);
        String byName = elsewhere.run("runs", "outputs").out();
        assertTrue(byName.contains(ids.get(0)) && !byName.contains(ids.get(21)), byName);
        assertTrue(elsewhere.run("runs", "nothing-like-it").out().startsWith("No runs of nothing-like-it"));
    }

    @Test
    void anOlderDotRunbookIsPointedToAndStillWorksWithStateDir() throws Exception {
        CliRunner old = new CliRunner(dir, Map.of("RUNBOOK_STATE_DIR", dir.resolve(".runbook").toString()));
        old.copy("outputs.yaml");
        String id = runId(old.run("run", "outputs.yaml"));

        CliRunner now = new CliRunner(dir, home());
        CliRunner.Result empty = now.run("runs");
        assertTrue(empty.out().contains("No runs yet") && empty.out().contains("--state-dir .runbook"), empty.out());
        CliRunner.Result named = now.run("show", "last", "--state-dir", ".runbook");
        assertEquals(0, named.code(), named.toString());
        assertTrue(named.out().startsWith("Run " + id), named.out());
    }

    @Test
    void resumeWithACorrectedInputRerunsTheStepsThatReadItAndShowsTheChange() throws Exception {
        CliRunner cli = new CliRunner(dir, home());
        cli.copy("correct.yaml");
        Path good = Files.createDirectories(dir.resolve("deploy"));
        String typo = dir.resolve("deplyo").toString();

        CliRunner.Result failed = cli.run("run", "correct.yaml", "--input", "deploy_dir=" + typo);
        assertEquals(ExitCodes.STEP_FAILED, failed.code(), failed.toString());
        String id = runId(failed);
        assertEquals("deploying to " + typo, Files.readString(dir.resolve("announce.txt")));

        // bad corrections: exit 2, nothing run, nothing journaled
        long journalLines = Files.readAllLines(defaultState().resolve("runs/" + id + "/journal.jsonl")).size();
        CliRunner.Result unknown = cli.run("resume", id, "--input", "deploy_dri=" + good);
        assertEquals(ExitCodes.INVALID, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("unknown input 'deploy_dri'"), unknown.err());
        CliRunner.Result badType = cli.run("resume", id, "--input", "copies=two");
        assertEquals(ExitCodes.INVALID, badType.code(), badType.toString());
        assertTrue(badType.err().contains("copies"), badType.err());
        assertEquals(journalLines, Files.readAllLines(defaultState().resolve("runs/" + id + "/journal.jsonl")).size(),
                "a refused correction wrote to the journal");

        Path inputs = Files.writeString(dir.resolve("fix.yaml"), "deploy_dir: " + good + "\n");
        CliRunner.Result resumed = cli.run("resume", id.substring(0, id.length() - 1), "--inputs", "fix.yaml");
        assertEquals(0, resumed.code(), resumed.toString());
        assertEquals("1", Files.readString(dir.resolve("prepare.count")), "a step that reads no corrected input ran again");
        assertEquals("deploying to " + good, Files.readString(dir.resolve("announce.txt")), "announce was not run again");
        assertEquals("2", Files.readString(dir.resolve("after.count")), "a step after a changed one was not run again");
        assertTrue(Files.isRegularFile(good.resolve("placed.txt")));

        CliRunner.Result shown = cli.run("show", "last");
        assertTrue(shown.out().contains("input corrected: deploy_dir: " + typo + " → " + good), shown.out());
        assertTrue(shown.out().contains("inputs: {deploy_dir=" + good), "the header shows the old inputs: " + shown.out());
        com.fasterxml.jackson.databind.JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(cli.run("show", id, "--json").out());
        assertEquals(typo.toString(), json.at("/inputCorrections/0/changed/deploy_dir/from").asText(), json.toString());
        assertEquals(good.toString(), json.at("/inputCorrections/0/changed/deploy_dir/to").asText(), json.toString());

        // the corrected value is the run's from now on: rerunning the last step keeps it
        assertEquals(0, cli.run("resume", "last", "--rerun", "place").code());
        assertEquals("1", Files.readString(dir.resolve("prepare.count")));
    }

    private List<String> runDirs() throws Exception {
        try (var s = Files.list(defaultState().resolve("runs"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String runId(CliRunner.Result r) {
        Matcher m = RUN_ID.matcher(r.out() + r.err());
        assertTrue(m.find(), "no run id in " + r);
        return m.group();
    }
}
