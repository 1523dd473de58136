package dev.runbook.plan;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Problem;

import java.util.List;

/**
 * The inputs given do not bind (a required one is missing, a value has the wrong type): the
 * problems, and every declared input with what it has now and its description, so the person
 * sees at once what they must and may give.
 */
public final class InputsNotBound extends InvalidRunbookException {

    private final transient List<Plan.PlannedInput> inputs;

    InputsNotBound(List<Problem> problems, List<Plan.PlannedInput> inputs) {
        super(problems);
        this.inputs = List.copyOf(inputs);
    }

    public List<Plan.PlannedInput> inputs() {
        return inputs;
    }
}
