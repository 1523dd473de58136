package dev.runbook.model;

import java.util.List;

/**
 * A runbook that cannot run as given: its file, its inputs, its secrets or its plan, with every
 * problem found, each with its location (they are reported all at once, exit code 2). The one
 * exception for a list of problems: validation, planning and starting a run all throw it.
 */
public class InvalidRunbookException extends Exception {

    private final List<Problem> problems;

    public InvalidRunbookException(List<Problem> problems) {
        super(summary(problems));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /** The one problem as it is printed, or how many there are and the first. */
    private static String summary(List<Problem> problems) {
        if (problems.isEmpty()) {
            return "invalid runbook";
        }
        return problems.size() == 1 ? problems.get(0).format()
                : problems.size() + " problems; the first: " + problems.get(0).format();
    }
}
