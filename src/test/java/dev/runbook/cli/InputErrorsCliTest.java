package dev.runbook.cli;

import dev.runbook.testsupport.Internals;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What `plan` and `run` say about inputs they cannot take (`--input`, `--inputs FILE`) and about
 * a saved plan they cannot read (`run --plan`): a non-zero exit, the problem in plain words, and
 * no Java, parser or library text (the invalid-runbook corpus is checked the same way).
 */
class InputErrorsCliTest {

    private static final String RUNBOOK = String.join("\n",
            "name: typed",
            "inputs:",
            "  bucket: { type: string, default: backups }",
            "  keep: { type: int, default: 7 }",
            "  fast: { type: bool, default: false }",
            "  max_age: { type: duration, default: 26h }",
            "  labels: { type: map, default: {} }",
            "steps:",
            "  - id: a",
            "    uses: test.echo",
            "    with: { message: \"${{ inputs.bucket }}\" }",
            "");

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void runbook() throws IOException {
        cli = new CliRunner(dir, Map.of());
        Files.writeString(dir.resolve("typed.yaml"), RUNBOOK);
        Files.writeString(dir.resolve("not-yaml.yaml"), "keep: [1, 2\nfast: true\n");
        Files.writeString(dir.resolve("a-list.yaml"), "- keep\n- fast\n");
        Files.writeString(dir.resolve("scalar.yaml"), "just text\n");
        Files.writeString(dir.resolve("empty.yaml"), "");
        Files.writeString(dir.resolve("wrong-types.yaml"), "keep: { a: 1 }\nfast: [1, 2]\nmax_age: 26\nlabels: text\n");
        Files.write(dir.resolve("latin1.yaml"), new byte[] {'b', 'u', 'c', 'k', 'e', 't', ':', ' ', 'c', 'a', 'f', (byte) 0xE9, '\n'});
        Files.createDirectories(dir.resolve("a-dir.yaml"));
        Files.writeString(dir.resolve("not-json.json"), "this is not a plan\n");
        Files.writeString(dir.resolve("empty-object.json"), "{}\n");
        Files.writeString(dir.resolve("a-list.json"), "[1, 2]\n");
        Files.writeString(dir.resolve("cut.json"), "{\"format\": 2, \"runbook\": \"typed\", \"file\": \"typed.yaml\", \"inputs\": {\"keep\": ");
        Files.writeString(dir.resolve("wrong-shape.json"), "{\"format\": \"two\", \"runbook\": [1], \"file\": {\"a\": 1}}\n");
        Files.writeString(dir.resolve("other-format.json"), "{\"format\": 99, \"runbook\": \"typed\", \"file\": \"typed.yaml\"}\n");
        Files.writeString(dir.resolve("no-file.json"), "{\"format\": 2, \"runbook\": \"typed\"}\n");
    }

    /** Arguments after the command (plan or run), and words the message must contain. */
    static Stream<Arguments> badInputs() {
        List<Arguments> out = new ArrayList<>();
        for (String command : List.of("plan", "run")) {
            out.add(Arguments.of(command, List.of("typed.yaml", "--input", "buckte=x"), "unknown input 'buckte' (did you mean `bucket`?)"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--input", "keep=many"), "expected a whole number, got 'many'"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--input", "fast=yes"), "expected true or false, got 'yes'"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--input", "max_age=26"), "expected a duration like 30s, 5m or 26h, got '26'"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--input", "labels=x"), "expected a mapping (give it in an --inputs file)"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--input", "keep"), "--input keep: give it as NAME=VALUE"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--input", "=7"), "the input's name is missing before '='"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "missing.yaml"), "--inputs missing.yaml: no such file"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "a-dir.yaml"), "--inputs a-dir.yaml: is a directory, not a file"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "not-yaml.yaml"), "not-yaml.yaml:1:7: this `[` is not closed"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "a-list.yaml"), "mapping of input names to values"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "scalar.yaml"), "mapping of input names to values"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "empty.yaml"), "empty.yaml:1:1: the file is empty"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "wrong-types.yaml"), "expected a whole number, got a mapping"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "wrong-types.yaml"), "expected true or false, got a list"));
            out.add(Arguments.of(command, List.of("typed.yaml", "--inputs", "latin1.yaml"), "latin1.yaml:1:12: byte 0xE9 is not UTF-8 text"));
        }
        for (List<String> plan : List.of(
                List.of("missing.json", "--plan missing.json: no such file"),
                List.of("a-dir.yaml", "--plan a-dir.yaml: is a directory"),
                List.of("latin1.yaml", "latin1.yaml:1:12: byte 0xE9 is not UTF-8 text"),
                List.of("not-json.json", "not a plan made by `runbook plan --out`: it is not JSON (line 1"),
                List.of("empty-object.json", "these fields are missing: format, file, sourceSha256, inputs, target, sections"),
                List.of("a-list.json", "it is not a JSON object of a plan's fields"),
                List.of("cut.json", "the JSON ends too early, as if the file was cut off (line 1"),
                List.of("wrong-shape.json", "its field 'format' is not of the kind a plan has there (line 1, column 12)"),
                List.of("other-format.json", "has format 99, this version of runbook reads format 2"),
                List.of("no-file.json", "these fields are missing: file, sourceSha256, inputs, target, sections"))) {
            out.add(Arguments.of("run", List.of("--plan", plan.get(0)), plan.get(1)));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("badInputs")
    void refusedInPlainWords(String command, List<String> args, String words) {
        List<String> line = new ArrayList<>(List.of(command));
        line.addAll(args);
        CliRunner.Result r = cli.run(line.toArray(String[]::new));
        assertNotEquals(ExitCodes.OK, r.code(), r.toString());
        assertNotEquals(ExitCodes.INTERNAL, r.code(), "treated as a bug in runbook: " + r);
        assertTrue(r.err().contains(words), "expected '" + words + "' in:\n" + r);
        String internal = Internals.in(r.err() + r.out());
        assertNull(internal, "'" + internal + "' reaches the user:\n" + r);
    }
}
