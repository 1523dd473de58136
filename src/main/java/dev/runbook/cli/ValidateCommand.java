package dev.runbook.cli;

import dev.runbook.parse.ValidRunbook;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Counts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code runbook validate FILE...}: every problem at once, with file:line:column; exit 2 if any. */
@Command(name = "validate", mixinStandardHelpOptions = true, description = "Check runbooks (YAML, schema, executors, parameters, graph, expressions). Runs nothing.")
final class ValidateCommand implements Callable<Integer> {

    private final Cli cli;
    private final ExecutorRegistry registry;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "runbook files")
    List<Path> files;

    ValidateCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() {
        int code = ExitCodes.OK;
        for (Path file : files) {
            try {
                ValidRunbook valid = Runbooks.load(cli, registry, file);
                int steps = valid.runbook().allSteps().size();
                cli.out().println(file + ": valid (" + Counts.of(steps, "step") + ")");
            } catch (CliException e) {
                cli.err().println(e.getMessage());
                code = e.exitCode();
            }
        }
        return code;
    }
}
