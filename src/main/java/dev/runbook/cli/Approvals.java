package dev.runbook.cli;

import dev.runbook.engine.Approver;

import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * Approval of steps that need it: {@code --yes} approves all, {@code --approve STEP} one; on
 * a terminal the person types the step id to confirm (a typed confirmation, not just "y",
 * because this is where data gets dropped). Without a terminal nothing else is approved.
 */
final class Approvals {

    private Approvals() {
    }

    static Approver of(Cli cli, boolean yes, List<String> approve) {
        if (yes) {
            return Approver.ALL;
        }
        Set<String> approved = approve == null ? Set.of() : Set.copyOf(approve);
        return (stepId, description) -> {
            if (approved.contains(stepId)) {
                return true;
            }
            if (!cli.terminal()) {
                return false;
            }
            synchronized (cli) { // one prompt at a time, even with parallel steps
                cli.out().println();
                cli.out().println("Step " + stepId + " needs your approval:");
                cli.out().println("  " + description);
                cli.out().print("Type the step id (" + stepId + ") to approve, anything else to refuse: ");
                cli.out().flush();
                try {
                    String answer = cli.in().readLine();
                    return answer != null && answer.trim().equals(stepId);
                } catch (IOException e) {
                    return false;
                }
            }
        };
    }
}
