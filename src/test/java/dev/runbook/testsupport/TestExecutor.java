package dev.runbook.testsupport;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code uses: test.<action>}: an executor for tests only (registered from
 * {@code src/test/resources/META-INF/services}), so that parser, planner and engine tests can
 * drive every engine path (outputs, failures, retries, timeouts, approvals, secrets) without
 * any outside service.
 *
 * <ul>
 *   <li>{@code echo}: params {@code message} (string, required), {@code number} (int, default 42),
 *       {@code secret-param} (string, sensitive), {@code log-secret} (bool, default false: logs
 *       the secret in clear so a test can check that the engine masks it), {@code write-file}
 *       (path: writes the message there); outputs {@code message} (string), {@code number} (int).</li>
 *   <li>{@code fail}: params {@code message} (string, default "test failure"), {@code retryable}
 *       (bool, default true); always throws {@link StepFailure}.</li>
 *   <li>{@code sleep}: param {@code for} (duration, required); sleeps, and stops with
 *       {@link InterruptedException} when the step's thread is interrupted; output {@code slept} (string).</li>
 *   <li>{@code flaky}: params {@code counter-file} (path, required; relative to the runbook's
 *       directory), {@code succeed-on} (int, default 3); counts attempts in the file and fails
 *       (retryable) until attempt {@code succeed-on}; output {@code attempts} (int).</li>
 *   <li>{@code destroy}: destructive (so it needs approval); params {@code what} (string, default
 *       "test data"), {@code marker-file} (path: created when the step runs); output {@code destroyed} (string).</li>
 * </ul>
 */
public final class TestExecutor implements Executor {

    public static final String NAME = "test";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String summary() {
        return "actions for tests only (echo, fail, sleep, flaky, destroy)";
    }

    @Override
    public List<Action> actions() {
        return List.of(new Echo(), new Fail(), new Sleep(), new Flaky(), new Destroy());
    }

    @Override
    public Optional<String> defaultAction() {
        return Optional.of("echo");
    }

    static Path resolve(StepContext context, String file) {
        return context.runbookDir().resolve(file);
    }

    /** Prints a message and returns it as an output. */
    public static final class Echo implements Action {
        @Override public String name() { return "echo"; }
        @Override public String summary() { return "log a message and return it as an output"; }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.required("message", ParamType.STRING, "the message to log and return"),
                    ParamSpec.optional("number", ParamType.INT, 42L, "returned as the number output"),
                    ParamSpec.optional("secret-param", ParamType.STRING, null, "a value that may be a secret").asSensitive(),
                    ParamSpec.optional("log-secret", ParamType.BOOL, false,
                            "log secret-param in clear, to test that the engine masks it"),
                    ParamSpec.optional("write-file", ParamType.STRING, null, "a file to write the message to"));
        }

        @Override
        public List<OutputSpec> outputs() {
            return List.of(OutputSpec.of("message", ParamType.STRING, "the message"),
                    OutputSpec.of("number", ParamType.INT, "the number parameter"));
        }

        @Override
        public String describe(Params params) {
            String text = "echo " + params.display("message");
            if (params.has("secret-param")) {
                text += " with secret " + params.display("secret-param");
            }
            if (params.has("write-file")) {
                text += " into " + params.display("write-file");
            }
            return text;
        }

        @Override
        public Outputs execute(Params params, StepContext context) throws IOException {
            String message = params.string("message");
            context.log().info("echo: " + message);
            Params.Sensitive secret = params.sensitive("secret-param");
            if (secret != null) {
                context.log().info(params.bool("log-secret", false)
                        ? "secret-param is " + secret.value()
                        : "secret-param received (" + secret.value().length() + " characters)");
            }
            if (params.has("write-file")) {
                Files.writeString(resolve(context, params.string("write-file")), message, StandardCharsets.UTF_8);
            }
            return Outputs.none().put("message", message).put("number", params.integer("number", 42));
        }
    }

    /** Always fails. */
    public static final class Fail implements Action {
        @Override public String name() { return "fail"; }
        @Override public String summary() { return "fail with a message"; }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.optional("message", ParamType.STRING, "test failure", "the failure message"),
                    ParamSpec.optional("retryable", ParamType.BOOL, true, "whether a retry could help"));
        }

        @Override
        public String describe(Params params) {
            return "fail with: " + params.display("message", "test failure");
        }

        @Override
        public Outputs execute(Params params, StepContext context) throws StepFailure {
            throw new StepFailure(params.string("message", "test failure"), params.bool("retryable", true), null);
        }
    }

    /** Sleeps; interruptible. */
    public static final class Sleep implements Action {
        @Override public String name() { return "sleep"; }
        @Override public String summary() { return "wait for a while (stops when interrupted)"; }

        @Override
        public List<ParamSpec> params() {
            return List.of(ParamSpec.required("for", ParamType.DURATION, "how long to sleep"));
        }

        @Override
        public List<OutputSpec> outputs() {
            return List.of(OutputSpec.of("slept", ParamType.STRING, "how long it slept, e.g. 1s"));
        }

        @Override
        public String describe(Params params) {
            return "sleep " + params.display("for");
        }

        @Override
        public Outputs execute(Params params, StepContext context) throws InterruptedException {
            Duration d = params.duration("for", Duration.ZERO);
            Thread.sleep(d.toMillis()); // throws InterruptedException on cancel
            return Outputs.none().put("slept", params.string("for"));
        }
    }

    /** Fails until the given attempt, counting attempts in a file (survives resume). */
    public static final class Flaky implements Action {
        @Override public String name() { return "flaky"; }
        @Override public String summary() { return "fail until attempt N, counting attempts in a file"; }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.required("counter-file", ParamType.STRING, "file holding the attempt count"),
                    ParamSpec.optional("succeed-on", ParamType.INT, 3L, "the attempt that succeeds (1 = first)"));
        }

        @Override
        public List<OutputSpec> outputs() {
            return List.of(OutputSpec.of("attempts", ParamType.INT, "the attempt that succeeded"));
        }

        @Override
        public String describe(Params params) {
            return "fail until attempt " + params.display("succeed-on", "3") + " (counter in "
                    + params.display("counter-file") + ")";
        }

        @Override
        public Outputs execute(Params params, StepContext context) throws IOException, StepFailure {
            Path counter = resolve(context, params.string("counter-file"));
            long attempt = (Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0) + 1;
            Files.writeString(counter, Long.toString(attempt));
            long succeedOn = params.integer("succeed-on", 3);
            if (attempt < succeedOn) {
                throw new StepFailure("flaky: attempt " + attempt + " fails (succeeds on attempt " + succeedOn + ")");
            }
            context.log().info("flaky: attempt " + attempt + " succeeds");
            return Outputs.none().put("attempts", attempt);
        }
    }

    /** A destructive action: flagged in the plan and needs approval. */
    public static final class Destroy implements Action {
        @Override public String name() { return "destroy"; }
        @Override public String summary() { return "pretend to destroy data (destructive, needs approval)"; }

        @Override
        public List<ParamSpec> params() {
            return List.of(
                    ParamSpec.optional("what", ParamType.STRING, "test data", "what is destroyed"),
                    ParamSpec.optional("marker-file", ParamType.STRING, null, "a file created when the step runs"));
        }

        @Override
        public List<OutputSpec> outputs() {
            return List.of(OutputSpec.of("destroyed", ParamType.STRING, "what was destroyed"));
        }

        @Override
        public boolean destructive(Params params) {
            return true;
        }

        @Override
        public String describe(Params params) {
            return "destroy " + params.display("what", "test data");
        }

        @Override
        public Outputs execute(Params params, StepContext context) throws IOException {
            if (params.has("marker-file")) {
                Files.writeString(resolve(context, params.string("marker-file")), "destroyed");
            }
            String what = params.string("what", "test data");
            context.log().info("destroyed " + what);
            return Outputs.none().put("destroyed", what);
        }
    }
}
