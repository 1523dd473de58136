package dev.runbook.parse;

import dev.runbook.graph.StepGraph;
import dev.runbook.registry.ExecutorRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** `needs: []` written out means "start at once", not "wait for the step written above". */
class EmptyNeedsTest {

    @Test
    void anEmptyNeedsListStartsTheStepAtOnce(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("parallel.yaml");
        Files.writeString(file, """
                name: parallel
                steps:
                  - id: first
                    uses: approve
                    with: { message: one }
                  - id: second
                    uses: approve
                    needs: []
                    with: { message: two }
                  - id: third
                    uses: approve
                    with: { message: three }
                """);
        StepGraph graph = new RunbookLoader(ExecutorRegistry.load()).load(file).graph(ValidRunbook.Section.MAIN);
        assertEquals(Set.of(), graph.dependenciesOf("first"));
        assertEquals(Set.of(), graph.dependenciesOf("second"));
        assertEquals(Set.of("second"), graph.dependenciesOf("third"));
    }
}
