package dev.runbook.engine;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static dev.runbook.engine.EngineFixture.step;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The engine holds executors to the SPI: declared outputs only, sensitive outputs masked, retries only where they can help. */
class ExecutorContractsTest {

    @TempDir
    Path dir;
    EngineFixture fx;

    @BeforeEach
    void fixture() {
        fx = new EngineFixture(dir, new ContractBreakerExecutor());
    }

    private RunResult run(String yaml) throws Exception {
        Path file = dir.resolve("contract.yaml");
        Files.writeString(file, "name: contract\nsteps:\n" + yaml);
        return fx.run(fx.load(file));
    }

    @Test
    void anUndeclaredOutputFailsTheStepAsAnExecutorBugNamingTheAction() throws Exception {
        RunResult result = run("""
                  - id: sneaky
                    uses: breaker.undeclared
                    retry: { attempts: 3, delay: 10ms }
                  - id: after
                    needs: [sneaky]
                    uses: test.echo
                    with: { message: never }
                """);

        assertEquals(Outcome.FAILED, result.outcome());
        RunResult.StepResult sneaky = step(result, "sneaky");
        assertEquals(Outcome.FAILED, sneaky.outcome());
        assertEquals(1, sneaky.attempts(), "a bug is not retried");
        assertTrue(sneaky.executorBug());
        assertTrue(result.executorBug());
        assertTrue(sneaky.message().contains("breaker.undeclared") && sneaky.message().contains("extra"), sneaky.message());
        assertFalse(fx.journalText(result.runId()).contains("surprise"), "the undeclared value reached the journal");
        assertTrue(fx.listener.startOrder().stream().noneMatch("after"::equals), "a step after the bug ran");
    }

    @Test
    void anOutputDeclaredSensitiveIsMaskedEvenWhenSetWithPut() throws Exception {
        RunResult result = run("""
                  - id: login
                    uses: breaker.put-secret
                  - id: use
                    uses: test.echo
                    with: { message: "as ${{ steps.login.outputs.user }}", secret-param: "${{ steps.login.outputs.password }}", log-secret: true }
                """);

        assertEquals(Outcome.SUCCEEDED, result.outcome(), result.toString());
        String journal = fx.journalText(result.runId());
        String transcript = fx.listener.transcript();
        assertFalse(journal.contains(ContractBreakerExecutor.PASSWORD), "the password reached the journal: " + journal);
        assertFalse(transcript.contains(ContractBreakerExecutor.PASSWORD), "the password reached the log: " + transcript);
        // the value did flow to the next step, which logged it: the engine masked it
        assertTrue(transcript.contains("secret-param is ***"), transcript);
        // what `show` prints comes from the run history: the output is there, masked
        RunHistory.RunSummary summary = fx.summary(result.runId());
        assertFalse(summary.toString().contains(ContractBreakerExecutor.PASSWORD), summary.toString());
        assertTrue(journal.contains("restore-bot"), "a plain output was masked too: " + journal);
    }

    @Test
    void aBadParameterIsNotRetriedButALibrarysIllegalStateIs() throws Exception {
        RunResult result = run("""
                  - id: bad
                    uses: breaker.bad-param
                    with: { counter-file: bad.count }
                    retry: { attempts: 3, delay: 10ms }
                    continue-on-error: true
                  - id: transient
                    uses: breaker.library-error
                    with: { counter-file: transient.count, succeed-on: 2 }
                    retry: { attempts: 3, delay: 10ms }
                """);

        assertEquals(1, fx.count("bad.count"), "a bad parameter was retried");
        assertTrue(step(result, "bad").message().contains("parameter 'mode' must be fast or safe"), step(result, "bad").message());
        assertEquals(2, fx.count("transient.count"), "a library's IllegalStateException was not retried");
        assertEquals(Outcome.SUCCEEDED, step(result, "transient").outcome());
        assertFalse(result.executorBug());
    }
}
