package dev.runbook.cli;

import dev.runbook.engine.Approver;
import dev.runbook.engine.Approver.Decision;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Approval of steps that need it: {@code --yes} approves all, {@code --approve STEP} one; on
 * a terminal the person types the step id to confirm (a typed confirmation, not just "y",
 * because this is where data gets dropped). A wrong answer asks again, saying what is
 * expected, up to {@link #TRIES} times. Without a terminal nothing else is approved.
 */
final class Approvals {

    static final int TRIES = 3;

    private Approvals() {
    }

    static Approver of(Cli cli, boolean yes, List<String> approve) {
        if (yes) {
            return (id, d) -> Decision.yes();
        }
        Set<String> approved = approve == null ? Set.of() : Set.copyOf(approve);
        Prompt prompt = new Prompt(cli);
        return (stepId, description) -> {
            if (approved.contains(stepId)) {
                return Decision.flag();
            }
            if (!cli.terminal()) {
                return Decision.refused("no terminal to ask, and no --approve " + stepId + " or --yes");
            }
            return prompt.ask(stepId, description);
        };
    }

    /** The typed confirmation; one prompt at a time, even with parallel steps; Ctrl-C ends the wait at once. */
    private static final class Prompt {
        private final Cli cli;
        private final ReentrantLock oneAtATime = new ReentrantLock();
        private LinkedBlockingQueue<Optional<String>> lines; // empty: end of input

        Prompt(Cli cli) {
            this.cli = cli;
        }

        Decision ask(String stepId, String description) throws InterruptedException {
            oneAtATime.lockInterruptibly();
            try {
                cli.out().println();
                cli.out().println("Step " + stepId + " needs your approval:");
                cli.out().println("  " + description);
                for (int attempt = 1; attempt <= TRIES; attempt++) {
                    cli.out().print("Type the step id (" + stepId + ") to approve, or no to refuse: ");
                    cli.out().flush();
                    Optional<String> line = lines().take(); // interruptible, unlike a read from stdin
                    if (line.isEmpty()) {
                        return Decision.refused("no answer (end of input)");
                    }
                    String answer = line.get().trim();
                    if (answer.equals(stepId)) {
                        return Decision.typed();
                    }
                    if (answer.equalsIgnoreCase("no") || answer.equalsIgnoreCase("n")) {
                        return Decision.refused("refused at the prompt");
                    }
                    if (attempt < TRIES) {
                        cli.out().println("'" + answer + "' is not the step id. To approve, type exactly: " + stepId
                                + " (" + (TRIES - attempt) + " " + (TRIES - attempt == 1 ? "try" : "tries") + " left)");
                    }
                }
                cli.out().println("No matching answer after " + TRIES + " tries: " + stepId + " is not approved.");
                return Decision.refused(TRIES + " answers did not match the step id");
            } finally {
                oneAtATime.unlock();
            }
        }

        /** Lines of standard input, read by a daemon thread started at the first prompt. */
        private synchronized LinkedBlockingQueue<Optional<String>> lines() {
            if (lines == null) {
                LinkedBlockingQueue<Optional<String>> queue = new LinkedBlockingQueue<>();
                Thread reader = new Thread(() -> {
                    try {
                        String line;
                        while ((line = cli.in().readLine()) != null) {
                            queue.add(Optional.of(line));
                        }
                    } catch (IOException e) {
                        // treated as the end of input
                    }
                    queue.add(Optional.empty());
                }, "runbook-stdin");
                reader.setDaemon(true);
                reader.start();
                lines = queue;
            }
            return lines;
        }
    }
}
