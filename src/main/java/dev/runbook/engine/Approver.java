package dev.runbook.engine;

/**
 * Decides whether a step that needs approval may run. The CLI asks for a typed confirmation
 * on a terminal; without one it only honours {@code --approve ID} and {@code --yes}. The
 * engine journals every decision with how it was given, by whom and when.
 */
public interface Approver {

    /**
     * @return the decision; a refusal fails the step with a message that says how to approve it
     * @throws InterruptedException when the run is cancelled while waiting for an answer
     */
    Decision approve(String stepId, String description) throws InterruptedException;

    /**
     * @param how how it was given ({@code typed}, {@code --approve}, {@code --yes}) or why it was not
     */
    record Decision(boolean approved, String how) {
        public static Decision typed() {
            return new Decision(true, "typed");
        }

        public static Decision flag() {
            return new Decision(true, "--approve");
        }

        public static Decision yes() {
            return new Decision(true, "--yes");
        }

        public static Decision refused(String why) {
            return new Decision(false, why);
        }
    }

    /** Approves nothing: for non-interactive runs without --yes. */
    Approver NONE = (id, d) -> Decision.refused("no terminal to ask, and no --approve or --yes");

    /** Approves everything: {@code --yes}. */
    Approver ALL = (id, d) -> Decision.yes();
}
