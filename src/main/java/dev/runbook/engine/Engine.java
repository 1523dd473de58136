package dev.runbook.engine;

import dev.runbook.expr.ExpressionException;
import dev.runbook.expr.Expressions;
import dev.runbook.expr.Scope;
import dev.runbook.model.Precondition;
import dev.runbook.model.Problem;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.plan.InputBinder;
import dev.runbook.plan.Planner;
import dev.runbook.spi.Target;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a validated runbook: takes the lock, opens the journal, resolves secrets, runs the
 * main steps, then {@code on-failure} (if they failed) and {@code finally}, and records every
 * transition durably. {@link #resume} continues a failed or interrupted run from its journal.
 * The engine knows no executor by name: it only calls the SPI.
 */
public final class Engine {

    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path stateDir;
    private final Map<String, String> env;
    private final RunListener listener;
    private final Approver approver;
    private final int maxParallel;

    /**
     * @param stateDir    where runs and locks live ({@code .runbook} by default)
     * @param maxParallel how many steps may run at once
     */
    public Engine(Path stateDir, Map<String, String> env, RunListener listener, Approver approver, int maxParallel) {
        this.stateDir = stateDir;
        this.env = env;
        this.listener = listener;
        this.approver = approver;
        this.maxParallel = Math.max(1, maxParallel);
    }

    /** The inputs or secrets do not allow the run to start; nothing was changed. */
    public static final class NotStartedException extends Exception {
        private final List<Problem> problems;

        public NotStartedException(List<Problem> problems) {
            super(problems.get(0).format());
            this.problems = List.copyOf(problems);
        }

        public List<Problem> problems() {
            return problems;
        }
    }

    /** Starts a new run. */
    public RunResult run(ValidRunbook valid, Map<String, Object> givenInputs, Target target)
            throws NotStartedException, RunLock.HeldException, IOException {
        Instant started = Instant.now();
        String runId = RUN_ID_TIME.format(started) + "-" + valid.runbook().name() + "-"
                + HexFormat.of().formatHex(java.security.SecureRandom.getSeed(2));
        InputBinder.Bound bound = InputBinder.bind(valid, givenInputs, env, runId, started, target.kind());
        if (!bound.problems().isEmpty()) {
            throw new NotStartedException(bound.problems());
        }
        return invoke(valid, runId, started, bound.values(), target, Map.of(), Set.of(), false);
    }

    /**
     * Continues a run: steps that succeeded are skipped with their recorded outputs; the failed
     * or interrupted ones run again, as does everything in {@code rerun} and downstream of it.
     * Secrets are resolved again; they were never stored.
     */
    public RunResult resume(ValidRunbook valid, RunHistory.RunSummary previous, Set<String> rerun)
            throws NotStartedException, RunLock.HeldException, IOException {
        Set<String> again = new java.util.LinkedHashSet<>();
        for (String id : rerun) {
            if (!valid.steps().containsKey(id)) {
                throw new NotStartedException(List.of(Problem.at(valid.runbook().location(),
                        "--rerun " + id + ": no such step in " + valid.runbook().name())));
            }
            again.addAll(valid.main().steps().contains(id) ? valid.main().downstreamOf(id) : Set.of(id));
        }
        Target target = new Target(previous.target(), valid.runbook().target().settings()
                .getOrDefault(previous.target(), Map.of()));
        Instant started = Instant.parse(previous.started());
        InputBinder.Bound bound = InputBinder.bind(valid, previous.inputs(), env, previous.runId(), started, target.kind());
        if (!bound.problems().isEmpty()) {
            throw new NotStartedException(bound.problems());
        }
        return invoke(valid, previous.runId(), started, bound.values(), target, previous.steps(), again, true);
    }

    private RunResult invoke(ValidRunbook valid, String runId, Instant started, Map<String, Object> inputs, Target target,
                             Map<String, RunHistory.StepRecord> previous, Set<String> rerun, boolean resumed)
            throws NotStartedException, RunLock.HeldException, IOException {
        SecretMasker masker = new SecretMasker();
        Map<String, String> secrets = Secrets.resolve(valid.runbook(), env, masker); // before anything is written
        Path runDir = privateDir(stateDir.resolve("runs").resolve(runId));
        String holder = "run " + runId + ", pid " + ProcessHandle.current().pid() + " on " + hostName()
                + " since " + Instant.now();
        Instant invocationStart = Instant.now();
        try (RunLock lock = RunLock.acquire(stateDir.resolve("locks"), valid.runbook().name(), target.kind(), holder);
             Journal journal = Journal.open(runDir, masker)) {
            Instant deadline = valid.runbook().deadline() == null ? null : invocationStart.plus(valid.runbook().deadline());
            RunState run = new RunState(runId, runDir, started, target, env, masker, journal, listener, approver, deadline,
                    previous, rerun);
            Map<String, Object> startFields = new LinkedHashMap<>();
            startFields.put("run", runId);
            startFields.put("runbook", valid.runbook().name());
            startFields.put("file", valid.runbook().file().toString());
            startFields.put("source_sha256", Planner.sourceHash(valid));
            startFields.put("inputs", inputs);
            startFields.put("target", target.kind());
            startFields.put("resumed", resumed);
            startFields.put("rerun", List.copyOf(rerun));
            startFields.put("pid", ProcessHandle.current().pid());
            if (deadline != null) {
                startFields.put("deadline", deadline.toString()); // for the run report's timeline
            }
            journal.append("run-started", startFields);
            listener.runStarted(runId, valid.runbook().name(), target.kind(), resumed);
            Thread hook = new Thread(() -> {
                // Ctrl-C or SIGTERM: interrupt the running steps and give them a moment to clean
                // up (abort an upload, kill pg_dump) and the run to record how it ended
                journal.append("run-interrupted", Map.of("reason", "signal"));
                run.cancel("interrupted (Ctrl-C or SIGTERM)");
                try {
                    run.finished.await(15, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            });
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                Outcome outcome = runAll(valid, run, inputs, secrets);
                String message = run.cancelReason != null ? run.cancelReason : summary(run, outcome);
                Duration took = Duration.between(invocationStart, Instant.now());
                journal.append("run-finished", Map.of("outcome", outcome.label(), "message", message,
                        "duration_ms", took.toMillis(), "outputs", run.outputs));
                List<RunResult.StepResult> steps;
                synchronized (run.results) {
                    steps = new ArrayList<>(run.results.values());
                }
                RunResult result = new RunResult(runId, valid.runbook().name(), outcome, masker.mask(message), took, steps,
                        run.outputs);
                listener.runFinished(result);
                run.finished.countDown();
                return result;
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // the hook is running: nothing to remove
                }
                for (AutoCloseable r : run.closeAtEnd) {
                    try {
                        r.close();
                    } catch (Exception e) {
                        listener.note("could not close " + r + ": " + e.getMessage());
                    }
                }
                deleteScratch(run.runDir.resolve("scratch"));
            }
        }
    }

    private Outcome runAll(ValidRunbook valid, RunState run, Map<String, Object> inputs, Map<String, String> secrets) {
        Scope scope = new Scope(new LinkedHashMap<>(inputs), secrets, env, run.runId, run.started, run.target.kind());
        SectionRunner runner = new SectionRunner(run, maxParallel);
        Outcome outcome = Outcome.SUCCEEDED;
        String failedPrecondition = checkPreconditions(valid, scope, run);
        if (failedPrecondition != null) {
            run.journal.append("precondition-failed", Map.of("message", failedPrecondition));
            run.listener.note("precondition failed: " + failedPrecondition);
            outcome = Outcome.FAILED;
            scope.status(new Expressions.RunStatus(true, false));
            run.cancelReason = "precondition failed: " + failedPrecondition;
        } else {
            outcome = runner.run(valid, ValidRunbook.Section.MAIN, scope, "", valid.runbook().preconditions());
        }
        if (outcome.failure() && !valid.runbook().onFailure().isEmpty()) {
            scope.status(new Expressions.RunStatus(true, run.cancelled));
            runner.run(valid, ValidRunbook.Section.ON_FAILURE, scope, "", List.of());
        }
        if (!valid.runbook().cleanup().isEmpty()) {
            scope.status(new Expressions.RunStatus(outcome.failure(), run.cancelled));
            Outcome cleanup = runner.run(valid, ValidRunbook.Section.FINALLY, scope, "", List.of());
            outcome = Outcome.worst(outcome, cleanup);
        }
        runner.shutdown();
        if (!outcome.failure()) {
            outcome = Outcome.worst(outcome, runbookOutputs(valid, scope, run));
        }
        if (run.cancelled && outcome != Outcome.SUCCEEDED) {
            return Outcome.worst(outcome, Outcome.CANCELLED);
        }
        // a run whose failures were all allowed (continue-on-error) or skipped has succeeded
        return outcome.failure() ? outcome : Outcome.SUCCEEDED;
    }

    /** Evaluates the runbook's {@code outputs:} (shown at the end, recorded in the journal). */
    private static Outcome runbookOutputs(ValidRunbook valid, Scope scope, RunState run) {
        for (Map.Entry<String, String> e : valid.runbook().outputs().entrySet()) {
            try {
                Object v = valid.evaluator().resolve(e.getValue(), scope);
                run.outputs.put(e.getKey(), run.masker.redact(v));
            } catch (ExpressionException ex) {
                run.cancelReason = "output " + e.getKey() + ": " + ex.getMessage();
                return Outcome.FAILED;
            }
        }
        return Outcome.SUCCEEDED;
    }

    /** Preconditions that read only inputs, env and run are checked before any step. */
    private static String checkPreconditions(ValidRunbook valid, Scope scope, RunState run) {
        for (Precondition p : valid.runbook().preconditions()) {
            try {
                Boolean holds = valid.evaluator().condition(p.check(), scope);
                if (holds == null) {
                    continue; // reads step outputs: checked as soon as they exist
                }
                run.journal.append("precondition", Map.of("check", p.check(), "holds", holds));
                if (!holds) {
                    return p.message() != null ? p.message() : p.check();
                }
            } catch (ExpressionException e) {
                return p.check() + ": " + e.getMessage();
            }
        }
        return null;
    }

    private static String summary(RunState run, Outcome outcome) {
        long failed = run.results.values().stream().filter(r -> r.outcome().failure()).count();
        return switch (outcome) {
            case SUCCEEDED, SKIPPED, FAILED_IGNORED -> "all steps done";
            default -> failed + " step(s) failed: " + String.join(", ", run.results.values().stream()
                    .filter(r -> r.outcome().failure()).map(RunResult.StepResult::id).sorted().toList());
        };
    }

    static Path privateDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Path parent = dir.getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                privateDir(parent);
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        return dir;
    }

    private static void deleteScratch(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort; the directory is owner-only
                }
            });
        } catch (IOException ignored) {
            // as above
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "this host";
        }
    }
}
