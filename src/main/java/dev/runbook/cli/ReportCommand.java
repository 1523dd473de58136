package dev.runbook.cli;

import dev.runbook.engine.RunHistory;
import dev.runbook.report.HtmlReport;
import dev.runbook.report.RunRecords;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;

/** {@code runbook report RUN}: the run as one self-contained HTML page, for the post-incident review. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Write one run as a self-contained HTML page (timeline, approvals, outputs, logs); no network needed to view it."
                + " RUN is a run id, a unique prefix of one, or `last`.")
final class ReportCommand implements Callable<Integer> {

    private final Cli cli;

    @Parameters(index = "0", paramLabel = "RUN")
    String runRef;

    @Option(names = "--out", paramLabel = "FILE", description = "where to write it (default: runbook-report-RUN_ID.html)")
    Path out;

    @Mixin
    StateOptions state = new StateOptions();

    ReportCommand(Cli cli) {
        this.cli = cli;
    }

    @Override
    public Integer call() throws IOException {
        RunHistory.RunSummary run = state.run(cli, runRef);
        String html = HtmlReport.render(RunRecords.of(run));
        Path target = cli.resolve(out != null ? out : Path.of("runbook-report-" + run.runId() + ".html"));
        // written beside, then moved: a half-written report never replaces a good one
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, ".report-", ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            Files.writeString(tmp, html, StandardCharsets.UTF_8);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        cli.out().println("report of run " + run.runId() + " written to " + target);
        return ExitCodes.OK;
    }
}
