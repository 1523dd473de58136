package dev.runbook.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.parse.SchemaGenerator;
import dev.runbook.registry.ExecutorRegistry;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** {@code runbook schema}: the JSON Schema of the language, with every executor's parameters. */
@Command(name = "schema", mixinStandardHelpOptions = true, description = "Print the JSON Schema (draft 2020-12) of runbooks, for editors and CI.")
final class SchemaCommand implements Callable<Integer> {

    private final Cli cli;
    private final ExecutorRegistry registry;

    SchemaCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() throws Exception {
        cli.out().println(text(registry));
        cli.out().flush();
        return ExitCodes.OK;
    }

    static String text(ExecutorRegistry registry) throws Exception {
        return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(SchemaGenerator.full(registry));
    }
}
