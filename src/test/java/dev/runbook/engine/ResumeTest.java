package dev.runbook.engine;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.parse.ValidRunbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static dev.runbook.engine.EngineFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resuming a run from its journal: what is reused, what runs again, what the history keeps. */
class ResumeTest {

    @TempDir
    Path dir;

    @Test
    void resumeReusesSucceededStepsAndRunsTheFailedOneAgain() throws Exception {
        EngineFixture fx = new EngineFixture(dir);
        ValidRunbook valid = fx.load("resume.yaml");
        RunResult first = fx.run(valid);
        assertEquals(Outcome.FAILED, first.outcome());
        assertEquals(1, fx.count("prepare.count"));
        assertEquals(1, fx.count("restore.count"));
        assertEquals(0, fx.count("verify.count"));

        RunResult second = new EngineFixture(dir).engine().resume(valid, fx.summary(first.runId()), Set.of());

        assertEquals(first.runId(), second.runId(), "a resume continues the same run");
        assertEquals(Outcome.SUCCEEDED, second.outcome());
        assertEquals(1, fx.count("prepare.count"), "the succeeded step was executed again");
        assertEquals(2, fx.count("restore.count"), "the failed step did not run again");
        assertEquals(1, fx.count("verify.count"));
        assertTrue(step(second, "prepare").reused());
        assertFalse(step(second, "restore").reused());

        RunHistory.RunSummary history = fx.summary(first.runId());
        assertEquals(2, history.invocations());
        assertEquals("succeeded", history.status());
        assertEquals(Outcome.SUCCEEDED, history.steps().get("restore").outcome());
        assertEquals(1, fx.events(first.runId(), "step-finished", "restore").stream()
                .filter(e -> "failed".equals(e.get("outcome"))).count(), "the first failure left the journal");
        assertEquals(1, fx.events(first.runId(), "step-reused", "prepare").size());
        assertEquals(1, fx.events(first.runId(), "step-started", "prepare").size());
    }

    @Test
    void rerunRepeatsTheStepAndEverythingDownstream() throws Exception {
        EngineFixture fx = new EngineFixture(dir);
        ValidRunbook valid = fx.load("rerun.yaml");
        RunResult first = fx.run(valid);
        assertEquals(Outcome.SUCCEEDED, first.outcome());

        RunResult again = fx.engine().resume(valid, fx.summary(first.runId()), Set.of("b"));

        assertEquals(Outcome.SUCCEEDED, again.outcome());
        assertEquals(1, fx.count("a.count"), "upstream of the rerun step ran again");
        assertEquals(2, fx.count("b.count"), "the rerun step did not run again");
        assertEquals(2, fx.count("c.count"), "downstream of the rerun step did not run again");
        assertEquals(1, fx.count("side.count"), "a step beside the rerun step ran again");
        assertTrue(step(again, "a").reused() && step(again, "side").reused());
    }

    @Test
    void rerunOfAnUnknownStepIsRefused() throws Exception {
        EngineFixture fx = new EngineFixture(dir);
        ValidRunbook valid = fx.load("rerun.yaml");
        RunResult first = fx.run(valid);

        InvalidRunbookException e = assertThrows(InvalidRunbookException.class,
                () -> fx.engine().resume(valid, fx.summary(first.runId()), Set.of("nope")));
        assertTrue(e.getMessage().contains("nope"), e.getMessage());
        assertEquals(1, fx.summary(first.runId()).invocations());
    }

    @Test
    void aStepWithSecretOutputsRunsAgainOnResume() throws Exception {
        EngineFixture fx = new EngineFixture(dir, new IssueTokenExecutor());
        ValidRunbook valid = fx.load("secret-outputs.yaml");
        RunResult first = fx.run(valid);
        assertEquals(Outcome.FAILED, first.outcome());
        assertEquals(1, fx.count("login.count"));
        Map<String, Object> login = fx.events(first.runId(), "step-finished", "login").get(0);
        assertEquals(Boolean.TRUE, login.get("rerun_on_resume"));
        assertEquals("***", ((Map<?, ?>) login.get("outputs")).get("token"));

        RunResult second = fx.engine().resume(valid, fx.summary(first.runId()), Set.of());

        assertEquals(Outcome.SUCCEEDED, second.outcome(), second.toString());
        assertEquals(2, fx.count("login.count"), "the secret was not fetched again (it is never stored)");
        assertFalse(step(second, "login").reused());
        assertEquals(2, fx.count("finish.count"));
        String journal = fx.journalText(first.runId());
        assertFalse(journal.contains(IssueTokenExecutor.TOKEN_PREFIX), "a token reached the journal");
        assertFalse(fx.listener.transcript().contains(IssueTokenExecutor.TOKEN_PREFIX), "a token reached the listener");
    }

    @Test
    void resumeRecordsTheSecondInvocationInTheSameJournal() throws Exception {
        EngineFixture fx = new EngineFixture(dir);
        ValidRunbook valid = fx.load("resume.yaml");
        RunResult first = fx.run(valid);
        fx.engine().resume(valid, fx.summary(first.runId()), Set.of());

        var starts = fx.events(first.runId(), "run-started", null);
        assertEquals(2, starts.size());
        assertEquals(Boolean.FALSE, starts.get(0).get("resumed"));
        assertEquals(Boolean.TRUE, starts.get(1).get("resumed"));
        assertEquals(2, fx.events(first.runId(), "run-finished", null).size());
        assertEquals(1, fx.history().list().size(), "a resume must not create a second run");
    }
}
