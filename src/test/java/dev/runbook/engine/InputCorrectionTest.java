package dev.runbook.engine;

import dev.runbook.parse.ValidRunbook;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which steps a corrected input makes run again: by resolved parameters, not by name alone. */
class InputCorrectionTest {

    @TempDir
    Path dir;

    private ValidRunbook corrections() throws Exception {
        EngineFixture fx = new EngineFixture(dir);
        fx.copy("child.yaml");
        return fx.load(Files.writeString(dir.resolve("corrections.yaml"), """
                name: corrections
                inputs:
                  who: { type: string }
                  copies: { type: int, default: 1 }
                steps:
                  - id: fixed
                    uses: test.echo
                    with: { message: "reads no input" }
                  - id: positive
                    uses: test.echo
                    with: { message: "${{ inputs.copies > 0 ? 'some' : 'none' }}" }
                  - id: mixed
                    uses: test.echo
                    with: { message: "${{ steps.fixed.outputs.message }} for ${{ inputs.who }}" }
                  - id: later
                    uses: test.echo
                    needs: [mixed]
                    with: { message: "after mixed" }
                  - id: call
                    uses: ./child.yaml
                    with: { greeting: "${{ inputs.who }}" }
                """));
    }

    private static final Set<String> RECORDED = Set.of("fixed", "positive", "mixed", "later", "call", "call/one", "call/two");

    @Test
    void aChangedInputRerunsTheStepsThatReadItTheirDependantsAndACalledRunbook() throws Exception {
        InputCorrection c = InputCorrection.of(corrections(), Map.of("who", "alice", "copies", 1L),
                Map.of("who", "bob", "copies", 1L), Map.of(), "run-1", Instant.now(), "local", RECORDED);
        assertEquals(Map.of("who", Map.of("from", "alice", "to", "bob")), c.changed());
        // mixed reads a step output too (not resolvable before the run): it reads `who`, so it counts
        assertEquals(Set.of("mixed", "later", "call", "call/one", "call/two"), c.rerun());
    }

    @Test
    void aChangeThatResolvesToTheSameParametersRerunsNothing() throws Exception {
        InputCorrection c = InputCorrection.of(corrections(), Map.of("who", "alice", "copies", 1L),
                Map.of("who", "alice", "copies", 2L), Map.of(), "run-1", Instant.now(), "local", RECORDED);
        assertEquals(Set.of("copies"), c.changed().keySet());
        assertEquals(Set.of(), c.rerun(), "`copies > 0` is true both times: the step's parameters did not change");
    }
}
