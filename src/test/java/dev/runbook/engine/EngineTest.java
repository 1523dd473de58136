package dev.runbook.engine;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.parse.ValidRunbook;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.runbook.engine.EngineFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine against the test executor: order, parallelism, retries, timeouts, sections, gates, calls, approvals, secrets. */
class EngineTest {

    @TempDir
    Path dir;
    EngineFixture fx;

    @BeforeEach
    void fixture() {
        fx = new EngineFixture(dir);
    }

    @Test
    void aPlainListRunsTopToBottomOneStepAtATime() throws Exception {
        RunResult result = fx.run(fx.load("sequential.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(List.of("first", "second", "third", "fourth"), fx.listener.startOrder());
        List<String> ids = List.of("first", "second", "third", "fourth");
        for (int i = 1; i < ids.size(); i++) {
            assertTrue(fx.listener.startedAt(ids.get(i)) >= fx.listener.finishedAt(ids.get(i - 1)),
                    ids.get(i) + " started before " + ids.get(i - 1) + " finished");
        }
    }

    @Test
    void independentBranchesRunAtTheSameTime() throws Exception {
        RunResult result = fx.run(fx.load("parallel.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        RecordingListener l = fx.listener;
        assertTrue(l.startedAt("left") < l.finishedAt("right") && l.startedAt("right") < l.finishedAt("left"),
                "left and right did not overlap");
        assertTrue(l.startedAt("left") >= l.finishedAt("start") && l.startedAt("right") >= l.finishedAt("start"));
        assertTrue(l.startedAt("join") >= Math.max(l.finishedAt("left"), l.finishedAt("right")), "join did not wait for both");
    }

    @Test
    void maxParallelOneSerialisesBranches() throws Exception {
        RunResult result = fx.maxParallel(1).run(fx.load("parallel.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        RecordingListener l = fx.listener;
        boolean leftFirst = l.startedAt("left") < l.startedAt("right");
        String a = leftFirst ? "left" : "right";
        String b = leftFirst ? "right" : "left";
        assertTrue(l.startedAt(b) >= l.finishedAt(a), "with --max-parallel 1 " + b + " started while " + a + " ran");
    }

    @Test
    void fixedBackoffRetriesUntilTheStepSucceeds() throws Exception {
        RunResult result = fx.run(fx.load("retry.yaml"), Map.of("which", "fixed"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(3, step(result, "fixed").attempts());
        assertEquals(3, fx.count("fixed.count"));
        assertEquals(2, fx.events(result.runId(), "attempt-failed", "fixed").size());
        List<Long> gaps = gapsBetweenAttempts(result.runId(), "fixed");
        assertEquals(2, gaps.size());
        gaps.forEach(g -> assertTrue(g >= 100, "retried after " + g + " ms, before the 100ms delay"));
    }

    @Test
    void exponentialBackoffDoublesTheDelay() throws Exception {
        RunResult result = fx.run(fx.load("retry.yaml"), Map.of("which", "exponential"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(4, step(result, "exponential").attempts());
        assertEquals(4, fx.count("exponential.count"));
        List<Long> gaps = gapsBetweenAttempts(result.runId(), "exponential");
        assertEquals(3, gaps.size());
        assertTrue(gaps.get(0) >= 100, "first retry after " + gaps);
        assertTrue(gaps.get(1) >= 200, "second retry should wait 200ms: " + gaps);
        assertTrue(gaps.get(2) >= 400, "third retry should wait 400ms: " + gaps);
    }

    @Test
    void aStepThatKeepsFailingFailsAfterItsLastAttempt() throws Exception {
        RunResult result = fx.run(fx.load("retry.yaml"), Map.of("which", "exhausted"));

        assertEquals(Outcome.FAILED, result.outcome());
        RunResult.StepResult s = step(result, "exhausted");
        assertEquals(Outcome.FAILED, s.outcome());
        assertEquals(2, fx.count("exhausted.count"));
        assertTrue(s.message().contains("attempt 2 fails"), s.message());
    }

    @Test
    void aNonRetryableFailureIsNotRetried() throws Exception {
        RunResult result = fx.run(fx.load("retry.yaml"), Map.of("which", "hopeless"));

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(1, fx.events(result.runId(), "step-started", "hopeless").size());
        assertEquals(1, fx.events(result.runId(), "attempt-failed", "hopeless").size());
        assertTrue(step(result, "hopeless").message().contains("the disk is full"));
    }

    @Test
    void aTimeoutInterruptsTheStep() throws Exception {
        Instant start = Instant.now();
        RunResult result = fx.run(fx.load("timeout.yaml"));

        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 10, "the 30s sleep was not interrupted");
        assertEquals(Outcome.FAILED, result.outcome());
        RunResult.StepResult slow = step(result, "slow");
        assertEquals(Outcome.FAILED, slow.outcome());
        assertTrue(slow.message().contains("timed out"), slow.message());
    }

    @Test
    void aFalseConditionSkipsTheStepAndTheRunGoesOn() throws Exception {
        RunResult result = fx.run(fx.load("conditions.yaml"), Map.of("extra", false, "fail", false));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(Outcome.SKIPPED, step(result, "optional").outcome());
        assertFalse(fx.listener.started("optional"));
        assertTrue(step(result, "optional").message().contains("is false"), step(result, "optional").message());
        assertEquals(Outcome.SUCCEEDED, step(result, "later").outcome());
        assertEquals(Outcome.SUCCEEDED, step(result, "report").outcome());
        assertEquals(Outcome.SKIPPED, step(result, "alert").outcome(), "failure() ran although nothing failed");
        assertEquals(Outcome.SUCCEEDED, step(result, "celebrate").outcome());
    }

    @Test
    void afterAFailureOnlyAlwaysAndFailureStepsRun() throws Exception {
        RunResult result = fx.run(fx.load("conditions.yaml"), Map.of("fail", true));

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(Outcome.FAILED, step(result, "breaks").outcome());
        assertEquals(Outcome.SKIPPED, step(result, "later").outcome());
        assertFalse(fx.listener.started("later"));
        assertEquals("not started: step 'breaks' failed", step(result, "later").message(), "the skipped step does not say why");
        assertEquals(Outcome.SUCCEEDED, step(result, "report").outcome(), "always() did not run");
        assertEquals(Outcome.SUCCEEDED, step(result, "alert").outcome(), "failure() did not run");
        assertEquals(Outcome.SKIPPED, step(result, "celebrate").outcome(), "success() ran after a failure");
        assertTrue(result.message().contains("breaks"), result.message());
    }

    @Test
    void continueOnErrorLetsTheRunSucceed() throws Exception {
        RunResult result = fx.run(fx.load("continue.yaml"));

        assertFalse(result.outcome().failure(), "the run failed: " + result);
        assertEquals(Outcome.FAILED_IGNORED, step(result, "best-effort").outcome());
        assertEquals(Outcome.SUCCEEDED, step(result, "after").outcome());
        assertEquals("failed-ignored", fx.events(result.runId(), "step-finished", "best-effort").get(0).get("outcome"));
    }

    @Test
    void onFailureRunsOnlyOnFailureAndFinallyAlways() throws Exception {
        ValidRunbook valid = fx.load("sections.yaml");

        RunResult ok = fx.run(valid, Map.of("fail", false));
        assertEquals(Outcome.SUCCEEDED, ok.outcome());
        assertEquals(0, fx.count("page.count"), "on-failure ran although nothing failed");
        assertEquals(1, fx.count("tidy.count"), "finally did not run after success");

        fx = new EngineFixture(dir); // a fresh listener; same directory, so the counters go on
        RunResult failed = fx.run(valid, Map.of("fail", true));
        assertEquals(Outcome.FAILED, failed.outcome());
        assertEquals(1, fx.count("page.count"), "on-failure did not run after a failure");
        assertEquals(2, fx.count("tidy.count"), "finally did not run after a failure");
        assertEquals(Outcome.SUCCEEDED, step(failed, "page").outcome());
        assertTrue(fx.listener.startedAt("tidy") > fx.listener.startedAt("page"), "finally ran before on-failure");
    }

    @Test
    void theDeadlineCancelsALongStepAndTheRun() throws Exception {
        Instant start = Instant.now();
        RunResult result = fx.run(fx.load("deadline.yaml"));

        assertTrue(Duration.between(start, Instant.now()).toSeconds() < 10, "the 30s step was not cancelled");
        assertEquals(Outcome.CANCELLED, result.outcome(), result.toString());
        assertEquals(Outcome.SUCCEEDED, step(result, "quick").outcome(), result + " " + fx.journal(result.runId()));
        assertEquals(Outcome.CANCELLED, step(result, "long").outcome(), step(result, "long").toString());
        assertEquals(0, fx.count("never.count"), "a step after the deadline ran");
        assertTrue(result.message().contains("deadline"), result.message());
        assertFalse(fx.events(result.runId(), "deadline-exceeded", null).isEmpty());
    }

    @Test
    void aPreconditionOnInputsFailsBeforeAnyStep() throws Exception {
        RunResult result = fx.run(fx.load("precondition-inputs.yaml"), Map.of("hours", 30));

        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.message().contains("older than 26 h"), result.message());
        assertTrue(fx.events(result.runId(), "step-started", null).isEmpty(), "a step started");
        assertEquals(0, fx.count("restore.count"));

        RunResult fine = fx.run(fx.load("precondition-inputs.yaml"), Map.of("hours", 3));
        assertEquals(Outcome.SUCCEEDED, fine.outcome());
        assertEquals(1, fx.count("restore.count"));
    }

    @Test
    void aPreconditionOnAStepOutputStopsTheRunRightAfterThatStep() throws Exception {
        RunResult result = fx.run(fx.load("precondition-step.yaml"), Map.of("rows", 3));

        assertEquals(Outcome.FAILED, result.outcome());
        assertEquals(Outcome.SUCCEEDED, step(result, "count").outcome());
        assertEquals(0, fx.count("restore.count"), "the step after the failed precondition ran");
        assertTrue(result.message().contains("too few rows"), result.message());
        List<String> kinds = fx.journal(result.runId()).stream().map(e -> (String) e.get("event")).toList();
        assertTrue(kinds.indexOf("precondition-failed") > kinds.indexOf("step-finished"), kinds.toString());

        RunResult fine = fx.run(fx.load("precondition-step.yaml"), Map.of("rows", 30));
        assertEquals(Outcome.SUCCEEDED, fine.outcome());
        assertEquals(1, fx.count("restore.count"));
    }

    /**
     * A precondition whose step was skipped by its {@code if:}, or failed under
     * {@code continue-on-error}, has nothing to read: it fails safe and the step it guards does
     * not run. Validate refuses such a runbook; this is the engine's own guard behind it.
     */
    @Test
    void aPreconditionWhoseStepWasSkippedOrFailedIgnoredFailsSafeAndNothingChanges() throws Exception {
        String gated = """
                name: gated-%s
                inputs:
                  measure: { type: bool, default: false }
                steps:
                  - id: probe
                    if: ${{ inputs.measure }}
                    %s
                  - id: wipe
                    uses: test.destroy
                    needs: [probe]
                    with: { marker-file: wiped.marker }
                """;
        String bytes = "${{ steps.probe.outputs.number > 1000000 }}";
        ValidRunbook skipped = EngineFixture.withPreconditionsUnchecked(fx.write("skipped.yaml", gated.formatted("skipped",
                "uses: test.echo\n    with: { message: measured, number: 5000000 }")), List.of(bytes));
        String attempts = "${{ steps.probe.outputs.attempts > 0 }}";
        ValidRunbook failedIgnored = EngineFixture.withPreconditionsUnchecked(fx.write("ignored.yaml", gated.formatted("ignored",
                "uses: test.flaky\n    continue-on-error: true\n    with: { counter-file: probe.count, succeed-on: 2 }")),
                List.of(attempts));

        RunResult result = fx.run(skipped);
        assertEquals(Outcome.FAILED, result.outcome(), result.toString());
        assertEquals(Outcome.SKIPPED, step(result, "probe").outcome());
        assertFalse(Files.exists(dir.resolve("wiped.marker")), "the guarded step ran although its precondition was never decided");
        assertEquals("precondition failed: `" + bytes + "` could not be decided: step 'probe' was skipped", result.message());
        assertEquals("not started: precondition failed: `" + bytes + "` could not be decided: step 'probe' was skipped",
                step(result, "wipe").message(), "the guarded step does not say which precondition held it back");
        assertEquals(1, fx.events(result.runId(), "precondition-failed", null).size());

        result = fx.run(failedIgnored, Map.of("measure", true));
        assertEquals(Outcome.FAILED, result.outcome(), result.toString());
        assertEquals(Outcome.FAILED_IGNORED, step(result, "probe").outcome(), result.toString());
        assertFalse(Files.exists(dir.resolve("wiped.marker")), "the guarded step ran although its precondition was never decided");
        assertEquals("precondition failed: `" + attempts + "` could not be decided: step 'probe' failed (continue-on-error)",
                result.message());

        // and when the step does run, the same precondition holds and the guarded step runs
        result = fx.run(skipped, Map.of("measure", true));
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result.toString());
        assertTrue(Files.exists(dir.resolve("wiped.marker")));
    }

    /** Outputs are made after finally, which always runs: they may read it (an on-failure step is refused by validate). */
    @Test
    void outputsMayReadAFinallyStep() throws Exception {
        RunResult result = fx.run(fx.write("outputs-finally.yaml", """
                name: outputs-finally
                steps:
                  - id: dump
                    uses: test.echo
                    with: { message: dumped, number: 1000 }
                finally:
                  - id: report
                    uses: test.echo
                    with: { message: reported }
                outputs:
                  size: ${{ steps.dump.outputs.number }}
                  reported: ${{ steps.report.outputs.message }}
                """));
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result.toString());
        assertEquals(Map.of("size", 1000L, "reported", "reported"), result.outputs());
    }

    /**
     * The --max-parallel slots are shared with the runbooks a run calls: while a step of the
     * caller holds the only slot, the called runbook waits for it; it is not blocked (found by
     * the generated-graph test).
     */
    @Test
    void aCalledRunbookWaitsForASlotHeldByItsCallerInsteadOfEndingBlocked() throws Exception {
        fx.copy("child.yaml");
        fx.maxParallel(1);
        RunResult result = fx.run(fx.write("slots.yaml", """
                name: slots
                steps:
                  - id: slow
                    uses: test.sleep
                    with: { for: 300ms }
                  - id: call
                    needs: []
                    uses: ./child.yaml
                    with: { greeting: hello }
                """));
        assertEquals(Outcome.SUCCEEDED, result.outcome(), result.toString());
        assertEquals(Outcome.SUCCEEDED, step(result, "call/one").outcome(), result.toString());
        assertEquals(Outcome.SUCCEEDED, step(result, "call/two").outcome(), result.toString());
    }

    @Test
    void aRunbookCallRunsTheChildWithPrefixedIdsAndReturnsItsOutputs() throws Exception {
        RunResult result = fx.run(fx.load("parent.yaml", "child.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result.toString());
        assertEquals(Outcome.SUCCEEDED, step(result, "call/one").outcome());
        assertEquals(Outcome.SUCCEEDED, step(result, "call/two").outcome());
        assertTrue(fx.listener.startOrder().containsAll(List.of("call/one", "call/two")));
        Map<String, Object> after = fx.events(result.runId(), "step-finished", "after").get(0);
        assertEquals("child said hello from one and two", ((Map<?, ?>) after.get("outputs")).get("message"));
        Map<String, Object> call = fx.events(result.runId(), "step-finished", "call").get(0);
        assertEquals("hello from one and two", ((Map<?, ?>) call.get("outputs")).get("said"));
    }

    @Test
    void aDestructiveStepIsRefusedWithoutApproval() throws Exception {
        RunResult result = fx.approver(Approver.NONE).run(fx.load("approval.yaml"));

        assertEquals(Outcome.FAILED, result.outcome());
        assertTrue(result.approvalMissing());
        assertTrue(step(result, "wipe").notApproved());
        assertTrue(step(result, "wipe").message().contains("--approve wipe"), step(result, "wipe").message());
        assertFalse(Files.exists(dir.resolve("wiped.marker")), "the destructive step ran without approval");
        assertEquals(Outcome.SUCCEEDED, step(result, "check").outcome());
    }

    @Test
    void approveAllRunsTheDestructiveStep() throws Exception {
        RunResult result = fx.approver(Approver.ALL).run(fx.load("approval.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertFalse(result.approvalMissing());
        assertTrue(Files.exists(dir.resolve("wiped.marker")));
    }

    @Test
    void approvalByIdAsksOnlyForTheDestructiveStep() throws Exception {
        List<String> asked = new CopyOnWriteArrayList<>();
        RunResult result = fx.approver((id, description) -> {
            asked.add(id + ": " + description);
            return id.equals("wipe") ? Approver.Decision.flag() : Approver.Decision.refused("not this one");
        }).run(fx.load("approval.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        assertEquals(1, asked.size(), asked.toString());
        assertTrue(asked.get(0).startsWith("wipe: ") && asked.get(0).contains("the staging database"), asked.toString());
        assertTrue(Files.exists(dir.resolve("wiped.marker")));
        Map<String, Object> approval = fx.events(result.runId(), "approval", "wipe").get(0);
        assertEquals(Boolean.TRUE, approval.get("approved"));
        assertEquals("--approve", approval.get("how"));
        assertEquals(System.getProperty("user.name"), approval.get("user"));
        assertTrue(approval.get("at") instanceof String, approval.toString());
    }

    @Test
    void secretsAppearInNoJournalLineAndNoListenerLine() throws Exception {
        String token = "tok-9f3c1e77a2";
        String password = "pw-S3cr3t-from-file";
        Files.writeString(dir.resolve("password.txt"), password + "\n");
        fx.env(Map.of("TEST_TOKEN", token));
        RunResult result = fx.run(fx.load("secrets.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result.toString());
        String journal = fx.journalText(result.runId());
        String transcript = fx.listener.transcript();
        for (String leaked : List.of(token, password, "Bearer " + token, "user:" + token + "@db")) {
            assertFalse(journal.contains(leaked), "the journal holds " + leaked);
            assertFalse(transcript.contains(leaked), "the listener saw " + leaked);
        }
        // the steps did receive and log the values: the engine masked them
        assertTrue(transcript.contains("secret-param is ***"), transcript);
        assertTrue(transcript.contains("secret-param is Bearer ***") || transcript.contains("secret-param is ***"), transcript);
        assertTrue(transcript.contains("secret-param is user:***@db") || transcript.contains("secret-param is ***"), transcript);
        assertEquals(5, fx.events(result.runId(), "step-log", null).stream()
                .filter(e -> String.valueOf(e.get("line")).startsWith("secret-param")).count(), "the steps did not log their secret params");
        // the file secret was read, its trailing newline removed
        assertTrue(transcript.contains("secret-param received (" + password.length() + " characters)"), transcript);
        assertFalse(String.valueOf(result).contains(token));
    }

    @Test
    void aMissingSecretStopsTheRunBeforeItStarts() {
        fx.env(Map.of());
        ValidRunbook valid = fx.load("secrets.yaml");
        InvalidRunbookException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidRunbookException.class,
                () -> fx.run(valid));
        assertTrue(e.getMessage().contains("TEST_TOKEN"), e.getMessage());
        assertFalse(Files.exists(fx.stateDir.resolve("runs")) && dirCount(fx.stateDir.resolve("runs")) > 0,
                "a run was recorded although it could not start");
    }

    @Test
    void outputsOfOneStepFeedAnother() throws Exception {
        RunResult result = fx.run(fx.load("outputs.yaml"));

        assertEquals(Outcome.SUCCEEDED, result.outcome());
        Map<?, ?> outputs = (Map<?, ?>) fx.events(result.runId(), "step-finished", "consume").get(0).get("outputs");
        assertEquals("pg-main-7", outputs.get("message"));
        assertEquals(8, ((Number) outputs.get("number")).intValue());
        assertTrue(fx.listener.startedAt("consume") >= fx.listener.finishedAt("produce"));
    }

    @Test
    void theJournalIsOwnerOnly() throws Exception {
        RunResult result = fx.run(fx.load("outputs.yaml"));

        Path runDir = fx.history().runDir(result.runId());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fx.journalFile(result.runId()))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir)));
        // every line is one JSON object, ending with the run's outcome
        List<Map<String, Object>> events = fx.journal(result.runId());
        assertEquals(Files.readAllLines(fx.journalFile(result.runId())).size(), events.size());
        assertEquals("run-started", events.get(0).get("event"));
        assertEquals("run-finished", events.get(events.size() - 1).get("event"));
        assertEquals("succeeded", events.get(events.size() - 1).get("outcome"));
        assertEquals("succeeded", fx.summary(result.runId()).status());
    }

    private static long dirCount(Path dir) {
        try (var s = Files.list(dir)) {
            return s.count();
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    /** Milliseconds between consecutive step-started events of one step (from the journal's times). */
    private List<Long> gapsBetweenAttempts(String runId, String step) throws Exception {
        List<Instant> starts = fx.events(runId, "step-started", step).stream()
                .map(e -> Instant.parse((String) e.get("time"))).toList();
        List<Instant> failures = fx.events(runId, "attempt-failed", step).stream()
                .map(e -> Instant.parse((String) e.get("time"))).toList();
        List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < starts.size(); i++) {
            gaps.add(Duration.between(failures.get(i - 1), starts.get(i)).toMillis());
        }
        return gaps;
    }
}
