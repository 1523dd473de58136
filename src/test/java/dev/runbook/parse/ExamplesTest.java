package dev.runbook.parse;

import dev.runbook.registry.ExecutorRegistry;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every shipped runbook validates with the executors the jar ships (what `runbook validate` does). */
class ExamplesTest {

    static Stream<Path> shippedRunbooks() throws Exception {
        return SchemaFileTest.shippedRunbooks();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedRunbooks")
    void validates(Path file) throws Exception {
        ValidRunbook valid = new RunbookLoader(SchemaFileTest.mainExecutors()).load(file);
        assertFalse(valid.runbook().steps().isEmpty());
        assertEquals(valid.runbook().allSteps().size(), valid.steps().size());
    }
}
