package dev.runbook.expr;

import dev.runbook.spi.Deferred;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Secret;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expressions (compile, type-check, names) and the Evaluator (typed values, taint, deferral). */
class EvaluatorTest {

    private static final Instant STARTED = Instant.parse("2026-11-25T02:00:00Z");

    private final Declarations declarations = new Declarations()
            .input("bucket", ParamType.STRING)
            .input("count", ParamType.INT)
            .input("verbose", ParamType.BOOL)
            .input("patience", ParamType.DURATION)
            .input("services", ParamType.LIST)
            .secret("db_password")
            .step("find-backup", List.of("key", "age-seconds"), List.of())
            .step("fetch", List.of("token"), List.of("token"))
            .step("later", List.of("value"), List.of());
    private final Expressions expressions = new Expressions(declarations);
    private final Evaluator evaluator = new Evaluator(expressions);

    private Scope runScope() {
        Map<String, Object> inputs = new HashMap<>(Map.of("bucket", "backups", "count", 3L, "verbose", true,
                "patience", Duration.ofSeconds(30), "services", List.of("db", "app")));
        Scope s = new Scope(inputs, Map.of("db_password", "hunter2"), Map.of("BACKUP_BUCKET", "from-env"),
                "run-1", STARTED, "compose");
        s.stepFinished("find-backup", "succeeded", Map.of("key", "postgres/postgres_20261125T020000Z.sql", "age-seconds", 3600L));
        s.stepFinished("fetch", "succeeded", Map.of("token", new Secret("tok-123")));
        return s;
    }

    private Scope planScope() {
        return new Scope(Map.of("bucket", "backups", "count", 3L), null, Map.of(), "(planned)", STARTED, "local");
    }

    // ---- typed results and interpolation

    @Test
    void wholeStringExpressionKeepsItsType() throws Exception {
        Scope s = runScope();
        assertEquals(4L, evaluator.resolve("${{ inputs.count + 1 }}", s));
        assertEquals(Boolean.TRUE, evaluator.resolve("${{ inputs.verbose }}", s));
        assertEquals(List.of("db", "app"), evaluator.resolve("${{ inputs.services }}", s));
        assertEquals(Duration.ofSeconds(30), evaluator.resolve("${{ inputs.patience }}", s));
        assertEquals(3600L, evaluator.resolve("${{ steps.find-backup.outputs.age-seconds }}", s));
    }

    @Test
    void mixedTextInterpolatesAsString() throws Exception {
        Scope s = runScope();
        assertEquals("s3://backups/postgres/postgres_20261125T020000Z.sql (3 files)",
                evaluator.resolve("s3://${{ inputs.bucket }}/${{ steps.find-backup.outputs.key }} (${{ inputs.count }} files)", s));
        assertEquals("plain text", evaluator.resolve("plain text", s));
    }

    @Test
    void nestedMapsAndListsAreResolved() throws Exception {
        Object v = evaluator.resolve(Map.of("a", List.of("${{ inputs.count }}", "x"), "b", 5L), runScope());
        assertEquals(Map.of("a", List.of(3L, "x"), "b", 5L), v);
    }

    @Test
    void timeFunctions() throws Exception {
        Scope s = runScope();
        assertEquals("20261125T020000Z", evaluator.resolve("${{ backupTimestamp(run.started) }}", s));
        assertEquals("2026-11-25 02:00", evaluator.resolve("${{ formatTime(run.started, 'yyyy-MM-dd HH:mm') }}", s));
        assertEquals("run-1 on compose", evaluator.resolve("${{ run.id }} on ${{ run.target }}", s));
    }

    @Test
    void hasEnvVariable() throws Exception {
        Scope s = runScope();
        assertEquals(Boolean.TRUE, evaluator.resolve("${{ has(env.BACKUP_BUCKET) }}", s));
        assertEquals(Boolean.FALSE, evaluator.resolve("${{ has(env.NOT_SET_ANYWHERE) }}", s));
        assertEquals("from-env", evaluator.resolve("${{ has(env.BACKUP_BUCKET) ? env.BACKUP_BUCKET : 'fallback' }}", s));
    }

    // ---- secret taint

    @Test
    void secretAndAnythingDerivedFromItIsASecret() throws Exception {
        Scope s = runScope();
        Object direct = evaluator.resolve("${{ secrets.db_password }}", s);
        assertInstanceOf(Secret.class, direct);
        assertEquals("hunter2", ((Secret) direct).reveal());

        Object concatenated = evaluator.resolve("postgres://app:${{ secrets.db_password }}@db/app", s);
        assertInstanceOf(Secret.class, concatenated);
        assertEquals("postgres://app:hunter2@db/app", ((Secret) concatenated).reveal());
        assertFalse(concatenated.toString().contains("hunter2"));

        Object throughFunctions = evaluator.resolve("${{ string(size(secrets.db_password)) + '-' + (secrets.db_password.startsWith('h') ? 'h' : 'other') }}", s);
        assertInstanceOf(Secret.class, throughFunctions);
        assertEquals("7-h", ((Secret) throughFunctions).reveal());

        Object secretOutput = evaluator.resolve("Bearer ${{ steps.fetch.outputs.token }}", s);
        assertInstanceOf(Secret.class, secretOutput);
        assertEquals("Bearer tok-123", ((Secret) secretOutput).reveal());
    }

    @Test
    void compiledExpressionKnowsItIsSecret() throws Exception {
        assertTrue(expressions.compile("secrets.db_password + 'x'").secret());
        assertTrue(expressions.compile("steps.fetch.outputs.token").secret());
        assertFalse(expressions.compile("inputs.bucket + 'x'").secret());
    }

    @Test
    void secretConditionValueIsMaskedInItsError() {
        ExpressionException e = assertThrows(ExpressionException.class,
                () -> evaluator.condition("${{ secrets.db_password }}", runScope()));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }

    // ---- planning: unknown values are Deferred

    @Test
    void outputsOfStepsNotRunYetAreDeferredAtPlanTime() throws Exception {
        Scope plan = planScope();
        assertEquals(new Deferred("steps.later.outputs.value", List.of("later")),
                evaluator.resolve("${{ steps.later.outputs.value }}", plan));
        assertEquals(new Deferred("x ${{ steps.later.outputs.value }} y", List.of("later")),
                evaluator.resolve("x ${{ steps.later.outputs.value }} y", plan));
        assertEquals("⟨from steps.later.outputs.value⟩", evaluator.resolve("${{ steps.later.outputs.value }}", plan).toString(),
                "a short expression is shown as written");
        assertEquals("⟨from steps.later.outputs.value⟩", evaluator.resolve(
                "${{ inputs.bucket == 'backups' ? steps.later.outputs.value : inputs.bucket + '/elsewhere' }}", plan).toString(),
                "a long one names the outputs it reads");
        assertEquals(new Deferred("secrets.db_password"), evaluator.resolve("${{ secrets.db_password }}", plan),
                "secrets are never read for a plan");
        assertEquals("backups", evaluator.resolve("${{ inputs.bucket }}", plan));
        assertNull(evaluator.condition("${{ steps.later.outputs.value == 'x' }}", plan));
        assertEquals(Boolean.FALSE, evaluator.condition("inputs.count > 5", plan));
    }

    @Test
    void aConditionalWhoseConditionIsKnownAtPlanTimeTakesItsBranch() throws Exception {
        String url = "${{ run.target == 'kubernetes' ? 'http://' + steps.find-backup.outputs.key + ':'"
                + " + string(steps.find-backup.outputs.age-seconds) + '/health' : inputs.bucket }}";
        assertEquals("backups", evaluator.resolve(url, planScope("compose", null)), "compose: the other branch, known now");
        Object kube = evaluator.resolve(url, planScope("kubernetes", null));
        assertInstanceOf(Deferred.class, kube);
        assertEquals("http://⟨from steps.find-backup.outputs.key⟩:⟨from steps.find-backup.outputs.age-seconds⟩/health", kube.toString(),
                "the known text stays, each unknown part is named as written (dashes, no string())");
        assertEquals(List.of("find-backup"), ((Deferred) kube).steps());
        assertEquals("backups", evaluator.resolve("${{ inputs.count > 1 ? inputs.bucket : steps.later.outputs.value }}", planScope()));
        assertEquals("backups/x", evaluator.resolve("${{ inputs.count > 1 ? inputs.bucket : steps.later.outputs.value }}/x", planScope()));
        assertEquals(4L, evaluator.resolve("${{ inputs.count < 1 ? steps.later.outputs.value : inputs.count + 1 }}", planScope()),
                "a typed value stays typed");
        Object unknown = evaluator.resolve("${{ steps.later.outputs.value == '' ? 'a' : 'b' }}", planScope());
        assertEquals(new Deferred("steps.later.outputs.value == '' ? 'a' : 'b'", List.of("later")), unknown,
                "a condition known only at run time leaves the expression as written");
        Object mixed = evaluator.resolve("s3://${{ inputs.bucket }}/${{ steps.later.outputs.value }}", planScope());
        assertEquals("s3://backups/⟨from steps.later.outputs.value⟩", mixed.toString());
    }

    @Test
    void aCalledRunbooksRunTimeValuesNameTheCallingStepOrTheCallersValue() throws Exception {
        Map<String, Object> inputs = new HashMap<>(Map.of("count", 3L,
                "bucket", new Deferred("steps.find-backup.outputs.uri", List.of("find-backup"))));
        Scope called = planScope("compose", "load", inputs);
        assertEquals("⟨from load → steps.later.outputs.value⟩", evaluator.resolve("${{ steps.later.outputs.value }}", called).toString());
        assertEquals("x ⟨from load → steps.later.outputs.value⟩ y",
                evaluator.resolve("x ${{ steps.later.outputs.value }} y", called).toString());
        assertEquals("⟨from steps.find-backup.outputs.uri⟩", evaluator.resolve("${{ inputs.bucket }}", called).toString(),
                "an input the caller knows only at run time is shown as the caller's value");
        assertEquals("⟨from steps.find-backup.outputs.uri⟩.manifest.json",
                evaluator.resolve("${{ inputs.bucket + '.manifest.json' }}", called).toString());
        assertEquals("⟨from steps.find-backup.outputs.uri, load → steps.later.outputs.value⟩", evaluator.resolve(
                "${{ inputs.bucket != '' ? inputs.bucket : steps.later.outputs.value + '/some/longer/suffix' }}", called).toString(),
                "a long expression names what it reads, each in its own runbook's terms");
    }

    private Scope planScope(String target, String within) {
        return planScope(target, within, new HashMap<>(Map.of("bucket", "backups", "count", 3L)));
    }

    private Scope planScope(String target, String within, Map<String, Object> inputs) {
        return new Scope(inputs, null, Map.of(), "(planned)", STARTED, target).within(within);
    }

    // ---- names with dashes, status functions

    @Test
    void dashesInStepIdsAndOutputNames() throws Exception {
        assertEquals("steps.find_backup.outputs.age_seconds", CelNames.normalize("steps.find-backup.outputs.age-seconds"));
        assertEquals("steps.find_backup.outputs.age_seconds - 1", CelNames.normalize("steps.find-backup.outputs.age-seconds - 1"));
        assertEquals("'steps.a-b' + steps.a_b.status", CelNames.normalize("'steps.a-b' + steps.a-b.status"),
                "string literals are left alone");
        assertEquals(Boolean.TRUE, evaluator.condition("steps.find-backup.outputs.age-seconds - 1 == 3599", runScope()));
        assertEquals(java.util.Set.of("find-backup"), expressions.compile("steps.find-backup.outputs.key").steps());
    }

    @Test
    void statusFunctionsFollowTheRun() throws Exception {
        Scope s = runScope();
        assertEquals(Boolean.TRUE, evaluator.condition("${{ success() }}", s));
        assertEquals(Boolean.FALSE, evaluator.condition("${{ failure() }}", s));
        s.status(new Expressions.RunStatus(true, false, "step 'a' failed"));
        assertEquals(Boolean.FALSE, evaluator.condition("success()", s));
        assertEquals(Boolean.TRUE, evaluator.condition("failure()", s));
        assertEquals(Boolean.TRUE, evaluator.condition("always()", s));
        assertEquals(Boolean.FALSE, evaluator.condition("cancelled()", s));
        s.status(new Expressions.RunStatus(false, true, null));
        assertEquals(Boolean.TRUE, evaluator.condition("cancelled()", s));
        assertEquals(Boolean.FALSE, evaluator.condition("success()", s));
        assertEquals(Boolean.TRUE, evaluator.condition("steps.find-backup.status == 'succeeded'", s));
    }

    // ---- compile-time errors

    /** Parser and checker messages in words with the likely fix: no token names, overload lists or protobuf types. */
    @Test
    void celErrorsSayTheLikelyFixInWords() {
        assertEquals("`inputs.count = 2`: `=` is not a comparison; write `==` to compare",
                assertThrows(ExpressionException.class, () -> expressions.compile("inputs.count = 2")).getMessage());
        assertEquals("`inputs.bucket == \"a`: a quote is never closed; end the text with the same quote it starts with",
                assertThrows(ExpressionException.class, () -> expressions.compile("inputs.bucket == \"a")).getMessage());
        assertEquals("`size(inputs.services`: a `(` is never closed with `)`",
                assertThrows(ExpressionException.class, () -> expressions.compile("size(inputs.services")).getMessage());
        assertEquals("`input.bucket`: unknown name 'input' (at column 1) (did you mean `inputs`?)",
                assertThrows(ExpressionException.class, () -> expressions.compile("input.bucket")).getMessage());
        assertEquals("`step.fetch.outputs.token`: unknown name 'step' (at column 1) (did you mean `steps`?)",
                assertThrows(ExpressionException.class, () -> expressions.compile("step.fetch.outputs.token")).getMessage());
        String time = assertThrows(ExpressionException.class, () -> expressions.compile("run.started > inputs.bucket")).getMessage();
        assertEquals("`run.started > inputs.bucket`: cannot compare (>) a time and text (at column 13) (turn the text into "
                + "a time with timestamp(...), e.g. timestamp(\"2026-01-02T00:00:00Z\"))", time);
        for (String bad : List.of("inputs.bucket.startsWith(1)", "size(inputs.bucket, 2)", "inputs.count = ", "'a' + 1 +")) {
            String message = assertThrows(ExpressionException.class, () -> expressions.compile(bad)).getMessage();
            for (String internal : List.of("overload", "protobuf", "token recognition", "mismatched input", "<EOF>", "candidates", "ERROR:")) {
                assertFalse(message.contains(internal), bad + " → " + message);
            }
        }
    }

    @Test
    void typeErrorsAndUnknownNamesFailAtCompileTime() throws Exception {
        assertTrue(assertThrows(ExpressionException.class, () -> expressions.compile("inputs.bucket + 1"))
                .getMessage().contains("cannot add (+) text and a whole number"));
        assertEquals("unknown input 'bukcet' (did you mean `bucket`?)",
                assertThrows(ExpressionException.class, () -> expressions.compile("inputs.bukcet")).getMessage());
        assertEquals("unknown secret 'db_pasword' (did you mean `db_password`?)",
                assertThrows(ExpressionException.class, () -> expressions.compile("secrets.db_pasword")).getMessage());
        assertEquals("unknown step 'find-bakup' (did you mean `find-backup`?)",
                assertThrows(ExpressionException.class, () -> expressions.compile("steps.find-bakup.outputs.key")).getMessage());
        assertTrue(assertThrows(ExpressionException.class, () -> expressions.compile("steps.find-backup.outputs.kye"))
                .getMessage().contains("step 'find-backup' has no output 'kye'"));
        assertEquals("step 'find-backup' has no output 'age' (its outputs: key, age-seconds)",
                assertThrows(ExpressionException.class, () -> expressions.compile("steps.find-backup.outputs.age")).getMessage(),
                "outputs are named as the docs and the executors write them (age-seconds, not age_seconds)");
        assertTrue(assertThrows(ExpressionException.class, () -> expressions.compile("inputs.count +"))
                .getMessage().contains("ends too early"));
        assertTrue(expressions.compile("inputs.count > 2").isBoolean());
        assertFalse(expressions.compile("inputs.count + 2").isBoolean());
    }

    @Test
    void templateParsing() {
        Template t = Template.parse("a ${{ x }} b ${{y}}");
        assertEquals(List.of("x", "y"), t.expressions().stream().map(Template.Expr::text).toList());
        assertFalse(t.isSingleExpression());
        assertTrue(Template.parse("${{ x }}").isSingleExpression());
        assertEquals("'${{' at position 3 is never closed with '}}'",
                assertThrows(IllegalArgumentException.class, () -> Template.parse("ab${{ x")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Template.parse("${{   }}"));
    }
}
