package dev.runbook.engine;

/**
 * Decides whether a step that needs approval may run. The CLI asks for a typed confirmation
 * on a terminal; without one it only honours {@code --approve ID} and {@code --yes}.
 */
public interface Approver {

    /**
     * @return true to run the step; false refuses it (the step fails with a message that
     *         says how to approve it)
     */
    boolean approve(String stepId, String description) throws InterruptedException;

    /** Approves nothing: for non-interactive runs without --yes. */
    Approver NONE = (id, d) -> false;

    /** Approves everything: {@code --yes}. */
    Approver ALL = (id, d) -> true;
}
