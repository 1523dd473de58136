package dev.runbook.parse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Executor;
import dev.runbook.testsupport.TestExecutor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shipped {@code schemas/runbook.schema.json} is exactly what the code generates, and
 * (read as an editor would, with networknt json-schema-validator, draft 2020-12) it accepts
 * every runbook we ship and rejects the structurally invalid ones of the test corpus (those
 * marked {@code # schema: rejects}; the others are wrong in ways only the validator can see).
 */
class SchemaFileTest {

    static final Path SCHEMA = Path.of("schemas/runbook.schema.json");
    private static final YAMLMapper YAML = new YAMLMapper();
    private static JsonSchema shipped;

    @BeforeAll
    static void loadShippedSchema() throws IOException {
        JsonNode node = new ObjectMapper().readTree(Files.readString(SCHEMA, StandardCharsets.UTF_8));
        shipped = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(node);
    }

    /** The executors the jar ships: the test class path adds the test-only executor. */
    static ExecutorRegistry mainExecutors() {
        List<Executor> main = new ArrayList<>(ExecutorRegistry.load().executors().values());
        main.removeIf(e -> e instanceof TestExecutor);
        return new ExecutorRegistry(main);
    }

    @Test
    void shippedSchemaIsWhatTheCodeGenerates() throws IOException {
        // the same rendering as `runbook schema` (pretty printed, newline at the end)
        String generated = new ObjectMapper().writerWithDefaultPrettyPrinter()
                .writeValueAsString(SchemaGenerator.full(mainExecutors())) + "\n";
        String file = Files.readString(SCHEMA, StandardCharsets.UTF_8);
        assertEquals(generated, file, SCHEMA + " differs from the schema the code generates;"
                + " regenerate it with: bin/runbook schema > schemas/runbook.schema.json");
    }

    /** An editor shows these on hover: every field of the language, at every level, has one. */
    @Test
    void everyFieldOfTheLanguageHasADescription() {
        List<String> missing = new ArrayList<>();
        undescribed(SchemaGenerator.structural(), "", missing);
        assertTrue(missing.isEmpty(), "fields without a description: " + missing);
    }

    /** A field written in the wrong place is told where it belongs: every object with fields has words for its place. */
    @Test
    void everyPlaceWithFieldsHasWordsForMessages() {
        List<String> missing = new ArrayList<>();
        SchemaCheck.PROPERTIES.forEach((name, places) -> places.stream()
                .filter(p -> !SchemaCheck.PLACES.containsKey(p)).forEach(p -> missing.add(p + " (" + name + ")")));
        assertTrue(missing.isEmpty(), "places without words in SchemaCheck.PLACES: " + missing);
    }

    private static void undescribed(JsonNode node, String path, List<String> missing) {
        if (node == null || !node.isObject()) {
            return;
        }
        JsonNode props = node.get("properties");
        if (props != null) {
            props.properties().forEach(e -> {
                if (!e.getValue().hasNonNull("description")) {
                    missing.add(path + "/" + e.getKey());
                }
            });
        }
        node.properties().forEach(e -> undescribed(e.getValue(), path + "/" + e.getKey(), missing));
    }

    @Test
    void shippedSchemaDescribesEveryMainAction() throws IOException {
        String file = Files.readString(SCHEMA, StandardCharsets.UTF_8);
        mainExecutors().executors().values().forEach(e -> e.actions().forEach(a ->
                assertTrue(file.contains("\"" + e.name() + "." + a.name() + "\""), e.name() + "." + a.name())));
        assertFalse(file.contains("\"test.echo\""), "the test-only executor leaked into the shipped schema");
    }

    static Stream<Path> shippedRunbooks() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : List.of(Path.of("examples"), Path.of("runbooks"))) {
            if (Files.isDirectory(dir)) {
                // runbooks sit at the top of these folders; sub-folders hold what they act on
                // (examples/compose-shop is a Compose deployment, not a runbook)
                try (Stream<Path> files = Files.list(dir)) {
                    files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                            .sorted().forEach(out::add);
                }
            }
        }
        assertFalse(out.isEmpty(), "no runbooks found under examples/ or runbooks/");
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shippedRunbooks")
    void acceptsEveryShippedRunbook(Path file) throws IOException {
        Set<ValidationMessage> messages = shipped.validate(YAML.readTree(file.toFile()));
        assertTrue(messages.isEmpty(), file + " is rejected by the shipped schema: " + messages);
    }

    static Stream<Path> schemaInvalid() throws IOException {
        try (Stream<Path> files = Files.list(RunbookLoaderTest.INVALID)) {
            List<Path> marked = new ArrayList<>();
            for (Path p : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                if (new String(Files.readAllBytes(p), StandardCharsets.UTF_8).lines().anyMatch("# schema: rejects"::equals)) {
                    marked.add(p);
                }
            }
            assertTrue(marked.size() >= 8, "expected the structural cases of the corpus to be marked: " + marked);
            return marked.stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaInvalid")
    void rejectsStructurallyInvalidRunbooks(Path file) throws IOException {
        Set<ValidationMessage> messages = shipped.validate(YAML.readTree(file.toFile()));
        assertFalse(messages.isEmpty(), file + " is accepted by the shipped schema");
    }
}
