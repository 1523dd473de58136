package dev.runbook.engine;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code uses: token.issue}: returns a fresh secret output (like a login that hands out a
 * short-lived password), counting how often it ran in a file. Only for the engine tests that
 * need a step with secret outputs; given to the registry by {@link EngineFixture}, not registered.
 */
final class IssueTokenExecutor implements Executor {

    static final String TOKEN_PREFIX = "issued-token-";

    @Override public String name() { return "token"; }
    @Override public String summary() { return "hands out a secret token (tests only)"; }
    @Override public List<Action> actions() { return List.of(new Issue()); }
    @Override public Optional<String> defaultAction() { return Optional.of("issue"); }

    static final class Issue implements Action {
        @Override public String name() { return "issue"; }
        @Override public String summary() { return "return a fresh secret token"; }

        @Override
        public List<ParamSpec> params() {
            return List.of(ParamSpec.required("counter-file", ParamType.STRING, "counts the executions"));
        }

        @Override
        public List<OutputSpec> outputs() {
            return List.of(new OutputSpec("token", ParamType.STRING, "the token", true));
        }

        @Override
        public String describe(Params params) {
            return "issue a token";
        }

        @Override
        public Outputs execute(Params params, StepContext context) throws IOException {
            Path counter = context.runbookDir().resolve(params.string("counter-file"));
            long n = (Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0) + 1;
            Files.writeString(counter, Long.toString(n));
            return Outputs.none().putSecret("token", TOKEN_PREFIX + n + "-" + Long.toHexString(System.nanoTime()));
        }
    }
}
