package dev.runbook.engine;

import dev.runbook.model.Precondition;
import dev.runbook.model.Runbook;
import dev.runbook.parse.RunbookLoader;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.plan.Targets;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Executor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Runs the test runbooks of {@code src/test/resources/engine/} with a real {@link Engine}: each
 * runbook is copied into a temporary directory (files it writes, counters and markers, land
 * beside it), and runs keep their state in {@code <dir>/state}.
 */
final class EngineFixture {

    final Path dir;
    final Path stateDir;
    final RecordingListener listener = new RecordingListener();
    private final ExecutorRegistry registry;
    private Map<String, String> env = Map.of();
    private Approver approver = Approver.ALL;
    private int maxParallel = 4;

    EngineFixture(Path dir, Executor... extra) {
        this.dir = dir;
        this.stateDir = dir.resolve("state");
        List<Executor> executors = new ArrayList<>();
        ServiceLoader.load(Executor.class).forEach(executors::add); // main executors and the test one
        executors.addAll(List.of(extra));
        this.registry = new ExecutorRegistry(executors);
    }

    EngineFixture env(Map<String, String> env) {
        this.env = env;
        return this;
    }

    EngineFixture approver(Approver approver) {
        this.approver = approver;
        return this;
    }

    EngineFixture maxParallel(int maxParallel) {
        this.maxParallel = maxParallel;
        return this;
    }

    /** Copies runbook resources (the first is returned) into the directory. */
    Path copy(String... resources) {
        for (String name : resources) {
            try (InputStream in = EngineFixture.class.getResourceAsStream("/engine/" + name)) {
                if (in == null) {
                    throw new IllegalArgumentException("no test resource /engine/" + name);
                }
                Files.write(dir.resolve(name), in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir.resolve(resources[0]);
    }

    ValidRunbook load(Path file) {
        try {
            return new RunbookLoader(registry).load(file);
        } catch (dev.runbook.model.InvalidRunbookException e) {
            throw new AssertionError("test runbook " + file.getFileName() + " is invalid: " + e.problems(), e);
        }
    }

    /** The runbook, or empty when the loader rejects it (generated runbooks may be invalid). */
    java.util.Optional<ValidRunbook> tryLoad(Path file) {
        try {
            return java.util.Optional.of(new RunbookLoader(registry).load(file));
        } catch (dev.runbook.model.InvalidRunbookException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The loaded runbook with these preconditions added, past the validator: what the engine must
     * still handle safely if a check that validate makes were missing or wrong.
     */
    static ValidRunbook withPreconditionsUnchecked(ValidRunbook valid, List<String> checks) {
        Runbook r = valid.runbook();
        List<Precondition> all = new ArrayList<>(r.preconditions());
        checks.forEach(c -> all.add(new Precondition(c, null, r.location())));
        Runbook changed = new Runbook(r.name(), r.description(), r.file(), r.inputs(), r.secrets(), all, r.deadline(),
                r.grace(), r.target(), r.steps(), r.onFailure(), r.cleanup(), r.outputs(), r.outputLocations(), r.location());
        return new ValidRunbook(changed, valid.source(), valid.steps(), valid.main(), valid.onFailure(), valid.cleanup(),
                valid.evaluator());
    }

    /** Writes a runbook into the directory and loads it (it must be valid). */
    ValidRunbook write(String name, String yaml) {
        try {
            return load(Files.writeString(dir.resolve(name), yaml));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ValidRunbook load(String... resources) {
        return load(copy(resources));
    }

    Engine engine() {
        return new Engine(stateDir, env, listener, approver, maxParallel);
    }

    RunResult run(ValidRunbook valid, Map<String, Object> inputs) throws Exception {
        return engine().run(valid, inputs, Targets.choose(valid.runbook().target(), null));
    }

    RunResult run(ValidRunbook valid) throws Exception {
        return run(valid, Map.of());
    }

    RunHistory history() {
        return new RunHistory(stateDir);
    }

    RunHistory.RunSummary summary(String runId) throws IOException {
        return history().read(runId).orElseThrow(() -> new AssertionError("no journal for run " + runId));
    }

    Path journalFile(String runId) {
        return history().runDir(runId).resolve(Journal.FILE);
    }

    String journalText(String runId) throws IOException {
        return Files.readString(journalFile(runId), StandardCharsets.UTF_8);
    }

    List<Map<String, Object>> journal(String runId) throws IOException {
        return Journal.read(history().runDir(runId));
    }

    /** The journal events of one kind for one step. */
    List<Map<String, Object>> events(String runId, String event, String step) throws IOException {
        return journal(runId).stream()
                .filter(e -> event.equals(e.get("event")) && (step == null || step.equals(e.get("step"))))
                .toList();
    }

    /** A counter file as written by {@code test.flaky}: how often that step ran. */
    long count(String file) throws IOException {
        Path p = dir.resolve(file);
        return Files.exists(p) ? Long.parseLong(Files.readString(p).trim()) : 0;
    }

    static RunResult.StepResult step(RunResult result, String id) {
        return result.steps().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no step " + id + " in " + result.steps()));
    }
}
