package dev.runbook.model;

import java.util.List;

/** A runbook that cannot run, with every problem found (they are reported all at once). */
public class InvalidRunbookException extends Exception {

    private final List<Problem> problems;

    public InvalidRunbookException(List<Problem> problems) {
        super(problems.size() + " problem(s): " + (problems.isEmpty() ? "" : problems.get(0).format()));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }
}
