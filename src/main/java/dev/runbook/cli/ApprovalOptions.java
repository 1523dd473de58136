package dev.runbook.cli;

import dev.runbook.engine.Approver;
import picocli.CommandLine.Option;

import java.util.List;

/** The options of commands that execute steps ({@code run}, {@code resume}). */
final class ApprovalOptions {

    @Option(names = "--max-parallel", defaultValue = "4", description = "steps that may run at once (default 4)")
    int maxParallel;

    @Option(names = {"--yes", "-y"}, description = "approve every step that needs approval")
    boolean yes;

    @Option(names = "--approve", paramLabel = "STEP", description = "approve this step (repeatable)")
    List<String> approve;

    Approver approver(Cli cli) {
        return Approvals.of(cli, yes, approve);
    }
}
