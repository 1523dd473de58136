package dev.runbook.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.runbook.parse.SchemaGenerator;
import dev.runbook.spi.Action;
import dev.runbook.spi.Deferred;
import dev.runbook.spi.Executor;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Secret;
import dev.runbook.spi.Target;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.io.FilePermission;
import java.net.SocketPermission;
import java.nio.file.Path;
import java.security.Permission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SPI's promises, checked for every action the real {@link java.util.ServiceLoader}
 * registry finds (a new executor is covered without touching this test):
 * <ul>
 *   <li>planning is pure: {@code describe}, {@code destructive} and {@code needsApproval} open no
 *       socket, resolve no host name, read or write no file and start no process, with plain,
 *       secret and run-time ({@link Deferred}) parameter values and for every kind of target.
 *       A guard on the calling thread records (and refuses) every such access, so an action that
 *       catches the refusal is still caught;</li>
 *   <li>parameter names (also nested ones) and output names are declared once;</li>
 *   <li>the JSON Schema (as {@code runbook schema} prints it and {@code schemas/} ships it) has exactly the declared parameters: their names, required ones,
 *       types and allowed values, and it accepts a step that gives them all and rejects an
 *       unknown parameter or a missing required one.</li>
 * </ul>
 */
@SuppressWarnings("removal") // SecurityManager: the one JDK hook that sees every file and socket access of a thread
class ActionContractTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "s3cr3t-contract-value";
    private static final List<Target> TARGETS = List.of(Target.LOCAL,
            new Target("compose", Map.of("project", "shop", "files", List.of("compose.yaml"), "project-dir", "deploy")),
            new Target("kubernetes", Map.of("context", "prod", "namespace", "shop", "kubeconfig", "/etc/kube/config")));

    private static SecurityManager before;
    private static final PurityGuard GUARD = new PurityGuard();
    private static JsonSchema schema;
    private static JsonNode schemaNode;

    record Case(String uses, Executor executor, Action action) {
        @Override
        public String toString() {
            return uses;
        }
    }

    static Stream<Case> actions() {
        List<Case> out = new ArrayList<>();
        for (Executor e : ExecutorRegistry.load().executors().values()) {
            for (Action a : e.actions()) {
                out.add(new Case(e.name() + "." + a.name(), e, a));
            }
        }
        return out.stream();
    }

    @BeforeAll
    static void install() {
        // the schema `runbook schema` prints for this registry; SchemaFileTest holds the shipped file to it
        schemaNode = SchemaGenerator.full(ExecutorRegistry.load());
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schemaNode);
        before = System.getSecurityManager();
        System.setSecurityManager(GUARD);
    }

    @AfterAll
    static void uninstall() {
        System.setSecurityManager(before);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("actions")
    void planningTouchesNothing(Case c) {
        for (Map<String, Object> values : List.of(sample(c.action().params(), Variant.PLAIN, true),
                sample(c.action().params(), Variant.PLAIN, false),
                sample(c.action().params(), Variant.SECRET, true),
                sample(c.action().params(), Variant.DEFERRED, true))) {
            Params params = Params.of(withDefaults(c.action().params(), values));
            for (Target target : TARGETS) {
                List<String> touched = GUARD.watch(() -> {
                    String line = c.action().describe(params, target);
                    assertTrue(line != null && !line.isBlank(), c + " describes nothing for " + values);
                    assertFalse(line.contains(SECRET), c + " shows a secret in its plan line: " + line);
                    c.action().destructive(params);
                    c.action().needsApproval(params);
                });
                assertEquals(List.of(), touched, c + ": planning must be pure, but with " + values + " on target "
                        + target.kind() + " it reached out");
            }
        }
    }

    /** The guard itself: an action that peeks at a file or a socket while describing is caught, even if it swallows the refusal. */
    @Test
    void theGuardSeesAFileReadAndAConnectionAttemptEvenWhenSwallowed() {
        List<String> file = GUARD.watch(() -> {
            try {
                java.nio.file.Files.exists(Path.of("/etc/hostname"));
            } catch (SecurityException swallowed) {
                // an impure action might do this
            }
        });
        assertEquals(1, file.size(), file.toString());
        List<String> socket = GUARD.watch(() -> {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", 9), 200);
            } catch (SecurityException | java.io.IOException swallowed) {
                // an impure action might do this
            }
        });
        assertFalse(socket.isEmpty(), "a connection attempt was not seen");
        assertTrue(socket.stream().allMatch(t -> t.startsWith("SocketPermission")), socket.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("actions")
    void parametersAndOutputsAreDeclaredOnce(Case c) {
        assertUnique(c + " parameters", c.action().params());
        List<String> outputs = c.action().outputs().stream().map(OutputSpec::name).toList();
        assertEquals(new HashSet<>(outputs).size(), outputs.size(), c + " declares an output twice: " + outputs);
    }

    private static void assertUnique(String what, List<ParamSpec> specs) {
        List<String> names = specs.stream().map(ParamSpec::name).toList();
        assertEquals(new HashSet<>(names).size(), names.size(), what + " declare a name twice: " + names);
        specs.forEach(p -> assertUnique(what + " of " + p.name(), p.fields()));
    }

    /**
     * Values free by nature (a request body, a manifest, a JSON value to compare, Kubernetes Job
     * fields the API server checks); anything else a runbook writes is typed down to its leaves.
     */
    private static final Set<String> FREE_BY_NATURE = Set.of("body", "manifest", "expect.json.*", "job.*");

    @ParameterizedTest(name = "{0}")
    @MethodSource("actions")
    void everyParameterIsTypedDownToItsLeaves(Case c) {
        List<String> untyped = new ArrayList<>();
        c.action().params().forEach(p -> untyped(p, p.name(), untyped));
        assertEquals(List.of(), untyped, c + ": a list must say its elements, a mapping its keys or values, and `any` is"
                + " only for values free by nature (" + FREE_BY_NATURE + "); otherwise validate lets a wrong literal through");
    }

    private static void untyped(ParamSpec p, String path, List<String> out) {
        switch (p.type()) {
            case LIST -> {
                if (p.items() == null) {
                    out.add(path);
                } else {
                    untyped(p.items(), path + "[]", out);
                }
            }
            case MAP -> {
                if (p.fields().isEmpty() && p.values() == null) {
                    out.add(path);
                }
                p.fields().forEach(f -> untyped(f, path + "." + f.name(), out));
                if (p.values() != null) {
                    untyped(p.values(), path + ".*", out);
                }
            }
            case ANY -> {
                if (!FREE_BY_NATURE.contains(path)) {
                    out.add(path);
                }
            }
            default -> { }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("actions")
    void theSchemaMatchesTheDeclarations(Case c) {
        JsonNode with = withSchema(c.uses());
        assertSameParams(c.uses(), c.action().params(), with);

        Map<String, Object> all = sample(c.action().params(), Variant.PLAIN, true);
        assertEquals(Set.of(), validate(c.uses(), all), c + ": the schema rejects a step that gives every parameter");
        Map<String, Object> unknown = new LinkedHashMap<>(all);
        unknown.put("no-such-parameter", "x");
        assertFalse(validate(c.uses(), unknown).isEmpty(), c + ": the schema accepts an undeclared parameter");
        for (ParamSpec p : c.action().params()) {
            if (p.required() && p.defaultValue() == null) {
                Map<String, Object> missing = new LinkedHashMap<>(all);
                missing.remove(p.name());
                assertFalse(validate(c.uses(), missing).isEmpty(), c + ": the schema accepts a step without " + p.name());
            }
        }
    }

    private static void assertSameParams(String where, List<ParamSpec> specs, JsonNode object) {
        JsonNode props = object.get("properties");
        Set<String> inSchema = new HashSet<>();
        props.fieldNames().forEachRemaining(inSchema::add);
        assertEquals(Set.copyOf(specs.stream().map(ParamSpec::name).toList()), inSchema, where + ": parameters in the schema");
        Set<String> required = new HashSet<>();
        if (object.has("required")) {
            object.get("required").forEach(n -> required.add(n.asText()));
        }
        assertEquals(Set.copyOf(specs.stream().filter(p -> p.required() && p.defaultValue() == null).map(ParamSpec::name).toList()),
                required, where + ": required parameters in the schema");
        assertFalse(object.path("additionalProperties").asBoolean(true), where + ": the schema allows undeclared parameters");
        for (ParamSpec p : specs) {
            JsonNode typed = props.get(p.name()).get("anyOf").get(0);
            ObjectNode expected = JSON.createObjectNode();
            dev.runbook.parse.SchemaGeneratorAccess.typeOf(expected, p.type());
            if (p.pattern() != null) {
                // a pattern-checked value may be written as a number too (a status code); a map's pattern is its keys'
                JsonNode pattern = p.type() == ParamType.MAP ? typed.path("propertyNames").path("pattern") : typed.path("pattern");
                assertEquals("^(" + p.pattern() + ")$", pattern.asText(), where + "." + p.name() + ": pattern in the schema");
                expected.remove("type");
            }
            expected.properties().forEach(f -> assertEquals(f.getValue(), typed.get(f.getKey()),
                    where + "." + p.name() + ": " + f.getKey() + " in the schema"));
            List<String> allowed = new ArrayList<>();
            typed.path("enum").forEach(n -> allowed.add(n.asText()));
            assertEquals(p.allowed(), allowed, where + "." + p.name() + ": allowed values in the schema");
            if (!p.fields().isEmpty()) {
                assertSameParams(where + "." + p.name(), p.fields(), typed);
            }
        }
    }

    private static JsonNode withSchema(String uses) {
        for (JsonNode rule : schemaNode.get("$defs").get("step").get("allOf")) {
            for (JsonNode name : rule.get("if").get("properties").get("uses").get("enum")) {
                if (name.asText().equals(uses)) {
                    return rule.get("then").get("properties").get("with");
                }
            }
        }
        throw new AssertionError(uses + " is not in the generated schema");
    }

    private static Set<ValidationMessage> validate(String uses, Map<String, Object> with) {
        Map<String, Object> step = new LinkedHashMap<>();
        step.put("id", "contract");
        step.put("uses", uses);
        step.put("with", with);
        Map<String, Object> doc = Map.of("name", "contract", "steps", List.of(step));
        return schema.validate(JSON.valueToTree(doc));
    }

    enum Variant { PLAIN, SECRET, DEFERRED }

    /** A value of the declared type for every parameter (or only the required ones). */
    static Map<String, Object> sample(List<ParamSpec> specs, Variant variant, boolean optionalToo) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (ParamSpec p : specs) {
            if (!optionalToo && !(p.required() && p.defaultValue() == null)) {
                continue;
            }
            Object v = sample(p);
            if (variant == Variant.SECRET && p.sensitive()) {
                v = new Secret(SECRET);
            } else if (variant == Variant.DEFERRED && p.fields().isEmpty() && p.allowed().isEmpty()) {
                v = new Deferred("steps.earlier.outputs." + p.name().replace('-', '_'), List.of("earlier"));
            }
            out.put(p.name(), v);
        }
        return out;
    }

    /** Values tried, in order, for a string parameter that must match a pattern. */
    private static final List<String> PATTERNED = List.of("200", "2xx", "> 0", "30s", "value");

    private static Object sample(ParamSpec p) {
        if (!p.allowed().isEmpty()) {
            return p.allowed().get(0);
        }
        if (p.pattern() != null && p.type() != ParamType.MAP) { // a map's pattern is its keys'
            return PATTERNED.stream().filter(v -> v.matches(p.pattern())).findFirst()
                    .orElseThrow(() -> new AssertionError("no sample value matches the pattern of " + p.name()));
        }
        String n = p.name() == null ? "" : p.name();
        return switch (p.type()) {
            case INT -> 5L;
            case NUMBER -> 1.5;
            case BOOL -> true;
            case DURATION -> "30s";
            case LIST -> p.items() == null ? List.of("first", "second") : List.of(sample(p.items()), sample(p.items()));
            case MAP -> !p.fields().isEmpty() ? sample(p.fields(), Variant.PLAIN, true)
                    : Map.of("key", p.values() == null ? "value" : sample(p.values()));
            case STRING, ANY -> n.contains("url") || n.contains("endpoint") ? "https://10.255.255.1:9/contract"
                    : n.equals("host") ? "10.255.255.1"
                    : n.equals("from") || n.equals("to") || n.contains("uri") || n.contains("prefix") || n.contains("location")
                    ? "s3://contract-bucket/postgres/"
                    : n.contains("file") || n.contains("dir") || n.contains("path") || n.contains("config") || n.contains("manifest")
                    ? "/nonexistent/contract/" + n
                    : "value-" + n;
        };
    }

    /** Defaults first, as the engine and the planner resolve {@code with:}. */
    private static Map<String, Object> withDefaults(List<ParamSpec> specs, Map<String, Object> given) {
        Map<String, Object> out = new LinkedHashMap<>();
        specs.stream().filter(p -> p.defaultValue() != null).forEach(p -> out.put(p.name(), p.defaultValue()));
        out.putAll(given);
        return out;
    }

    /**
     * Records every file, socket and process access of the watched thread and refuses it.
     * Reading the JDK's and the class path's own files stays allowed: that is class loading.
     */
    static final class PurityGuard extends SecurityManager {
        private final ThreadLocal<List<String>> watched = new ThreadLocal<>();
        private final List<String> allowedRoots = new CopyOnWriteArrayList<>();

        PurityGuard() {
            Path home = Path.of(System.getProperty("java.home")).toAbsolutePath();
            allowedRoots.add(home.toString());
            try (Stream<Path> conf = java.nio.file.Files.list(home.resolve("conf"))) {
                // Debian links the JDK's settings files to /etc/java-17-openjdk: the JDK reads them, not the action
                conf.forEach(f -> allowedRoots.add(realPath(f)));
            } catch (java.io.IOException e) {
                // no conf directory: java.home covers the JDK's own files
            }
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                allowedRoots.add(Path.of(entry).toAbsolutePath().toString());
            }
        }

        List<String> watch(Runnable body) {
            List<String> touched = new ArrayList<>();
            watched.set(touched);
            try {
                body.run();
            } finally {
                watched.remove();
            }
            return touched;
        }

        @Override
        public void checkPermission(Permission perm) {
            List<String> touched = watched.get();
            if (touched == null) {
                return;
            }
            boolean outside = perm instanceof SocketPermission
                    || perm instanceof FilePermission && !(perm.getActions().equals("read") && allowedRead(perm.getName()));
            if (outside) {
                watched.remove(); // describing the access below must not recurse into the guard
                try {
                    touched.add(perm.getClass().getSimpleName() + " " + perm.getActions() + " " + perm.getName());
                } finally {
                    watched.set(touched);
                }
                throw new SecurityException("planning must not touch " + perm.getName());
            }
        }

        @Override
        public void checkPermission(Permission perm, Object context) {
            checkPermission(perm);
        }

        private static String realPath(Path p) {
            try {
                return p.toRealPath().toString();
            } catch (java.io.IOException e) {
                return p.toString();
            }
        }

        private boolean allowedRead(String path) {
            return allowedRoots.stream().anyMatch(path::startsWith);
        }
    }
}
