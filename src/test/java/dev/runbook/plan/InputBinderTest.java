package dev.runbook.plan;

import dev.runbook.model.Problem;
import dev.runbook.parse.RunbookLoader;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Secret;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputBinderTest {

    private static ValidRunbook valid;

    @BeforeAll
    static void load() throws Exception {
        valid = new RunbookLoader(ExecutorRegistry.load()).load(Path.of("src/test/resources/plan/inputs.yaml"));
    }

    private static InputBinder.Bound bind(Map<String, Object> given, Map<String, String> env) {
        return InputBinder.bind(valid, given, env, "run-1", Instant.parse("2026-11-25T02:00:00Z"), "local");
    }

    private static List<String> messages(InputBinder.Bound b) {
        return b.problems().stream().map(Problem::message).toList();
    }

    @Test
    void commandLineTextIsConvertedToTheDeclaredTypes() {
        InputBinder.Bound b = bind(Map.of("bucket", "b1", "count", "12", "verbose", "TRUE", "max_age", "1h30m",
                "services", "db, app ,web", "ratio", "0.25"), Map.of());
        assertEquals(List.of(), b.problems());
        assertEquals("b1", b.values().get("bucket"));
        assertEquals(12L, b.values().get("count"));
        assertEquals(true, b.values().get("verbose"));
        assertEquals(Duration.ofMinutes(90), b.values().get("max_age"));
        assertEquals(List.of("db", "app", "web"), b.values().get("services"));
        assertEquals(0.25, b.values().get("ratio"));
    }

    @Test
    void typedValuesFromAnInputsFileAreKept() {
        InputBinder.Bound b = bind(Map.of("bucket", "b1", "count", 5L, "services", List.of("x")), Map.of());
        assertEquals(5L, b.values().get("count"));
        assertEquals(List.of("x"), b.values().get("services"));
    }

    @Test
    void defaultsApplyAndMayReadTheEnvironment() {
        InputBinder.Bound b = bind(Map.of(), Map.of("BACKUP_BUCKET", "from-env", "AWS_REGION", "us-east-2"));
        assertEquals(List.of(), b.problems());
        assertEquals("from-env", b.values().get("bucket"));
        assertEquals(3L, b.values().get("count"));
        assertEquals(false, b.values().get("verbose"));
        assertEquals(Duration.ofHours(26), b.values().get("max_age"));
        assertEquals(List.of("db", "app"), b.values().get("services"));
        assertEquals("us-east-2", b.values().get("region"));
        assertTrue(!b.values().containsKey("ratio"), "an optional input without default stays unset");
        assertEquals("eu-west-1", bind(Map.of("bucket", "b"), Map.of()).values().get("region"));
    }

    @Test
    void requiredInputWhoseEnvDefaultIsUnsetIsReportedWithAHint() {
        InputBinder.Bound b = bind(Map.of(), Map.of());
        assertEquals(1, b.problems().size());
        Problem p = b.problems().get(0);
        assertEquals("input 'bucket' is required (where backups are)", p.message());
        assertTrue(p.hint().contains("--input bucket=...") && p.hint().contains("or set BACKUP_BUCKET"), p.hint());
        assertEquals(3, p.location().line(), "points at the input's declaration");
    }

    @Test
    void wrongTypesAndUnknownInputsAreAllReported() {
        InputBinder.Bound b = bind(Map.of("bucket", "b", "count", "three", "verbose", "yes", "max_age", "a day",
                "bucekt", "x"), Map.of());
        List<String> m = messages(b);
        assertEquals(4, m.size(), m.toString());
        assertTrue(m.contains("unknown input 'bucekt'"), m.toString());
        assertTrue(m.contains("the value given for input 'count' is not valid: expected a whole number, got 'three'"), m.toString());
        assertTrue(m.contains("the value given for input 'verbose' is not valid: expected true or false, got 'yes'"), m.toString());
        assertTrue(m.contains("the value given for input 'max_age' is not valid: expected a duration like 30s, 5m or 26h, got 'a day'"), m.toString());
        Problem unknown = b.problems().stream().filter(p -> p.message().startsWith("unknown")).findFirst().orElseThrow();
        assertEquals("did you mean `bucket`?", unknown.hint());
    }

    @Test
    void secretsAreRefusedAsInputsAndRunTimeValuesPassThrough() {
        InputBinder.Bound b = bind(Map.of("bucket", new Secret("hidden"), "count", new Deferred("steps.x.outputs.n")), Map.of());
        assertEquals(List.of("input 'bucket' received a secret; declare it under secrets: instead"), messages(b));
        assertEquals(new Deferred("steps.x.outputs.n"), b.values().get("count"));
    }
}
