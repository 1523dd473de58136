package dev.runbook.parse;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Problem;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.testsupport.Internals;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every runbook in {@code src/test/resources/invalid/} is refused with exactly the problems its
 * trailing {@code # expect: LINE:COLUMN text} comments name (the text must appear in the
 * formatted problem, which also carries the file name; a text ending in {@code (no hint)} names a
 * problem that must come without one, such as a "did you mean" that would be wrong). Adding a
 * case is adding a file.
 */
class RunbookLoaderTest {

    static final Path INVALID = Path.of("src/test/resources/invalid");
    private static final Pattern EXPECT = Pattern.compile("^# expect: (\\d+):(\\d+) (.+)$");

    record Expected(int line, int column, String text) {
        static final String NO_HINT = " (no hint)";

        boolean matches(Problem p) {
            boolean bare = text.endsWith(NO_HINT);
            return p.location().line() == line && p.location().column() == column
                    && (bare ? p.hint() == null && p.format().endsWith(text.substring(0, text.length() - NO_HINT.length()))
                    : p.format().contains(text));
        }

        @Override
        public String toString() {
            return line + ":" + column + " " + text;
        }
    }

    static Stream<Path> invalidRunbooks() throws IOException {
        try (Stream<Path> files = Files.list(INVALID)) {
            return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    static List<Expected> expectations(Path file) throws IOException {
        List<Expected> out = new ArrayList<>();
        // not-utf8.yaml is not UTF-8: decode leniently (its expectation is plain ASCII)
        for (String line : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList()) {
            Matcher m = EXPECT.matcher(line);
            if (m.matches()) {
                out.add(new Expected(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), m.group(3)));
            }
        }
        return out;
    }

    static List<Problem> problemsOf(Path file) {
        InvalidRunbookException e = assertThrows(InvalidRunbookException.class,
                () -> new RunbookLoader(ExecutorRegistry.load()).load(file), file + " was accepted");
        return e.problems();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRunbooks")
    void refusedWithTheExpectedProblems(Path file) throws IOException {
        List<Expected> expected = expectations(file);
        List<Problem> problems = problemsOf(file);
        String actual = problems.stream().map(Problem::format).reduce("", (a, b) -> a + "\n  " + b);
        assertFalse(expected.isEmpty(), file + " has no '# expect: LINE:COLUMN text' comment; it gives:" + actual);
        for (Expected e : expected) {
            if (problems.stream().noneMatch(e::matches)) {
                fail("expected a problem '" + e + "' in " + file + "; got:" + actual);
            }
        }
        assertEquals(expected.size(), problems.size(), "unexpected extra problems in " + file + ":" + actual);
        for (Problem p : problems) {
            assertTrue(p.format().startsWith(file.toString()), "problem does not name the file: " + p.format());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRunbooks")
    void noMessageShowsJavaOrParserInternals(Path file) {
        for (Problem p : problemsOf(file)) {
            String message = p.format().substring(file.toString().length()); // the path itself is ours
            String internal = Internals.in(message);
            assertNull(internal, "'" + internal + "' reaches the user: " + p.format());
        }
    }

    /** The corpus has files with many mixed problems (schema, binding, parameters, graph, expressions), all reported at once. */
    @Test
    void mixedFilesReportFiveOrMoreProblemsOfEveryKind() throws IOException {
        for (String name : List.of("mixed-schema-and-meaning.yaml", "mixed-expressions.yaml", "mixed-parameters.yaml",
                "nested-parameter-types.yaml", "mixed-duplicates.yaml")) {
            Path file = INVALID.resolve(name);
            List<Problem> problems = problemsOf(file);
            assertTrue(problems.size() >= 5, name + " gives only " + problems.size());
            assertEquals(expectations(file).size(), problems.size(), name);
        }
    }

    @Test
    void severalMistakesAreAllReportedAtOnceWithFileLineAndColumn() {
        Path file = INVALID.resolve("several-mistakes.yaml");
        List<String> formatted = problemsOf(file).stream().map(Problem::format).toList();
        assertEquals(List.of(
                file + ":8:7: step 'find', field 'with.message': unknown input 'buckte' (did you mean `bucket`?)",
                file + ":10:5: step 'load', field 'uses': executor 'test' has no action 'ecko' (did you mean `echo`?)",
                file + ":14:13: step 'check', field 'needs': needs unknown step 'lod' (did you mean `load`?)",
                file + ":17:7: step 'check', field 'with.tail': must be a whole number, got 'lots'"), formatted);
    }

    @Test
    void aLiteralDefaultOfTheWrongTypeIsFoundByValidate(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("defaults.yaml");
        Files.writeString(file, String.join("\n",
                "name: defaults",
                "inputs:",
                "  keep: { type: int, default: seven }",
                "  max_age: { type: duration, default: 26 hours }",
                "  fast: { type: bool, default: yes please }",
                "  bucket: { type: string, default: \"${{ env.BACKUP_BUCKET }}\" }",
                "  days: { type: int, default: 7 }",
                "steps:",
                "  - id: a",
                "    uses: test.echo",
                "    with: { message: hi }",
                ""));
        List<String> formatted = problemsOf(file).stream().map(Problem::format).toList();
        assertEquals(3, formatted.size(), formatted.toString());
        assertTrue(formatted.get(0).contains(":3:") && formatted.get(0).contains("inputs.keep.default")
                && formatted.get(0).contains("expected a whole number, got 'seven'"), formatted.get(0));
        assertTrue(formatted.get(1).contains("inputs.max_age.default") && formatted.get(1).contains("like 30s"), formatted.get(1));
        assertTrue(formatted.get(2).contains("inputs.fast.default") && formatted.get(2).contains("true or false"), formatted.get(2));
    }

    @Test
    void fileOverEightMebibytesIsRefusedBeforeParsing(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.yaml");
        StringBuilder text = new StringBuilder("name: big\nsteps:\n  - id: a\n    uses: test.echo\n    with: { message: hi }\n");
        String filler = "# " + "x".repeat(1000) + "\n";
        while (text.length() <= 8 * 1024 * 1024) {
            text.append(filler);
        }
        Files.writeString(big, text);
        List<Problem> problems = problemsOf(big);
        assertEquals(1, problems.size());
        assertTrue(problems.get(0).message().contains("larger than 8 MiB"), problems.get(0).format());
    }

    @Test
    void fileOfZeroBytesIsEmpty(@TempDir Path dir) throws IOException {
        Path empty = Files.createFile(dir.resolve("zero.yaml"));
        List<Problem> problems = problemsOf(empty);
        assertEquals(1, problems.size());
        assertEquals("the file is empty", problems.get(0).message());
        assertEquals(1, problems.get(0).location().line());
    }

    @Test
    void missingFileSaysSo() {
        List<Problem> problems = problemsOf(INVALID.resolve("does-not-exist.yaml"));
        assertEquals("no such file", problems.get(0).message());
    }
}
