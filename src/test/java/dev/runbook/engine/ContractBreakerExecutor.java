package dev.runbook.engine;

import dev.runbook.spi.Action;
import dev.runbook.spi.BadParameterException;
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

/**
 * {@code uses: breaker.<action>}: actions that break, or lean on, the SPI's contracts, so the
 * engine tests can show the engine enforces them. Given to the registry by {@link EngineFixture};
 * not registered (the contract test over every registered action must not see it).
 *
 * <ul>
 *   <li>{@code undeclared}: declares output {@code declared}, also produces {@code extra}.</li>
 *   <li>{@code put-secret}: declares {@code password} sensitive but sets it with plain {@code put()}.</li>
 *   <li>{@code bad-param}: throws {@link BadParameterException} (counting calls in {@code counter-file}).</li>
 *   <li>{@code library-error}: throws {@link IllegalStateException}, as a library might for a
 *       transient fault, until attempt {@code succeed-on} (counting in {@code counter-file}).</li>
 * </ul>
 */
final class ContractBreakerExecutor implements Executor {

    static final String PASSWORD = "pw-from-put-7d1c04";

    @Override public String name() { return "breaker"; }
    @Override public String summary() { return "actions that test the engine's contracts (tests only)"; }

    @Override
    public List<Action> actions() {
        return List.of(new Undeclared(), new PutSecret(), new BadParam(), new LibraryError());
    }

    private static final ParamSpec COUNTER = ParamSpec.optional("counter-file", ParamType.STRING, "calls.count", "counts calls");

    static long count(Params params, StepContext context) throws IOException {
        Path counter = context.runbookDir().resolve(params.string("counter-file"));
        long n = (Files.exists(counter) ? Long.parseLong(Files.readString(counter).trim()) : 0) + 1;
        Files.writeString(counter, Long.toString(n));
        return n;
    }

    abstract static class Base implements Action {
        @Override public String summary() { return name(); }
        @Override public List<ParamSpec> params() { return List.of(COUNTER); }
        @Override public String describe(Params params) { return name(); }
    }

    static final class Undeclared extends Base {
        @Override public String name() { return "undeclared"; }

        @Override
        public List<OutputSpec> outputs() {
            return List.of(OutputSpec.of("declared", ParamType.STRING, "declared"));
        }

        @Override
        public Outputs execute(Params params, StepContext context) {
            return Outputs.none().put("declared", "yes").put("extra", "surprise");
        }
    }

    static final class PutSecret extends Base {
        @Override public String name() { return "put-secret"; }

        @Override
        public List<OutputSpec> outputs() {
            return List.of(new OutputSpec("password", ParamType.STRING, "a password", true),
                    OutputSpec.of("user", ParamType.STRING, "a user name"));
        }

        @Override
        public Outputs execute(Params params, StepContext context) {
            return Outputs.none().put("password", PASSWORD).put("user", "restore-bot");
        }
    }

    static final class BadParam extends Base {
        @Override public String name() { return "bad-param"; }

        @Override
        public Outputs execute(Params params, StepContext context) throws IOException {
            count(params, context);
            throw new BadParameterException("parameter 'mode' must be fast or safe, got 'quick'");
        }
    }

    static final class LibraryError extends Base {
        @Override public String name() { return "library-error"; }

        @Override
        public List<ParamSpec> params() {
            return List.of(COUNTER, ParamSpec.optional("succeed-on", ParamType.INT, 2L, "the attempt that succeeds"));
        }

        @Override
        public Outputs execute(Params params, StepContext context) throws IOException {
            if (count(params, context) < params.integer("succeed-on", 2)) {
                throw new IllegalStateException("connection pool shut down"); // as a client library says it
            }
            return Outputs.none();
        }
    }
}
