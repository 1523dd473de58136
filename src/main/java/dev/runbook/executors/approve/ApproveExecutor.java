package dev.runbook.executors.approve;

import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;

import java.util.List;
import java.util.Optional;

/**
 * {@code uses: approve}: a manual gate. The engine asks for a typed confirmation before the
 * step runs (or takes {@code --approve ID} / {@code --yes}); the step itself only records it.
 */
public final class ApproveExecutor implements Executor {

    @Override
    public String name() {
        return "approve";
    }

    @Override
    public String summary() {
        return "pause until a person confirms (typed on a terminal, or --approve ID / --yes)";
    }

    @Override
    public List<Action> actions() {
        return List.of(new Gate());
    }

    @Override
    public Optional<String> defaultAction() {
        return Optional.of("gate");
    }

    static final class Gate implements Action {
        @Override
        public String name() {
            return "gate";
        }

        @Override
        public String summary() {
            return "ask a person to confirm before the run goes on";
        }

        @Override
        public List<ParamSpec> params() {
            return List.of(ParamSpec.optional("message", ParamType.STRING, "Continue?",
                    "what the person is asked to confirm"));
        }

        @Override
        public boolean needsApproval(Params params) {
            return true;
        }

        @Override
        public String describe(Params params) {
            return "wait for a person to confirm: " + params.display("message");
        }

        @Override
        public Outputs execute(Params params, StepContext context) {
            context.log().info("approved: " + params.display("message"));
            return Outputs.none();
        }
    }
}
