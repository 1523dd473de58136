package dev.runbook.spi;

import java.util.List;
import java.util.Optional;

/**
 * One thing an executor can do, with its typed parameters declared beside it.
 *
 * <p>Two phases, like the JUnit Platform's discover/execute: {@link #describe} and
 * {@link #destructive} are pure and run while planning (no network, no files, no clients);
 * only {@link #execute} touches the world, and a dry run never calls it.
 */
public interface Action {

    /** The name after the dot in {@code uses: executor.action}. */
    String name();

    /** One line for {@code runbook executors} and the JSON Schema. */
    String summary();

    /** Every parameter the action accepts; unknown ones are rejected at validation time. */
    List<ParamSpec> params();

    /** The outputs the action produces; references to other names are rejected at validation time. */
    default List<OutputSpec> outputs() {
        return List.of();
    }

    /**
     * Whether this invocation destroys or overwrites data (drops a database, deletes objects).
     * Destructive steps are flagged in the plan and need approval before they run.
     * May depend on parameters ({@code clean: true}); must not touch the world.
     */
    default boolean destructive(Params params) {
        return false;
    }

    /**
     * Whether a person must approve this invocation before it runs (typed confirmation on a
     * terminal, or {@code --approve STEP} / {@code --yes}). Destructive actions need it by default.
     */
    default boolean needsApproval(Params params) {
        return destructive(params);
    }

    /**
     * A one-line description of the effect for the plan, e.g.
     * "download s3://b/postgres/&lt;latest&gt; and load it into app@localhost:5432 with psql".
     * Must be pure. Use {@link Params#display} so secrets are masked and values only known at
     * run time show as their expression.
     */
    String describe(Params params);

    /**
     * The same, for actions whose effect depends on the run's target (the target-neutral
     * {@code service} actions map to Compose or Kubernetes). Pure, like {@link #describe(Params)}.
     */
    default String describe(Params params, Target target) {
        return describe(params);
    }

    /**
     * Optional read-only probe for {@code runbook plan --refresh} (which object "latest" is,
     * whether a database exists). Returns a line to show under the step, or empty when the
     * action has nothing to probe. It may connect, but must not change anything.
     */
    default Optional<String> probe(Params params, StepContext context) throws Exception {
        return Optional.empty();
    }

    /**
     * The probe with the outputs it already knows, for deciding preconditions in the plan.
     * By default the line of {@link #probe} and no outputs.
     */
    default Optional<Preview> preview(Params params, StepContext context) throws Exception {
        return probe(params, context).map(Preview::of);
    }

    /** Does the work. Throw {@link StepFailure} for an expected failure with a clear message. */
    Outputs execute(Params params, StepContext context) throws Exception;
}
