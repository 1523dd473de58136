package dev.runbook.cli;

import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Action;
import dev.runbook.spi.Executor;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.ParamSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/** {@code runbook executors [NAME]}: every executor, its actions, parameters and outputs. */
@Command(name = "executors", mixinStandardHelpOptions = true, description = "List executors, their actions, parameters and outputs.")
final class ExecutorsCommand implements Callable<Integer> {

    private final Cli cli;
    private final ExecutorRegistry registry;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "show only this executor")
    String only;

    ExecutorsCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() {
        if (only != null && !registry.executors().containsKey(only)) {
            throw new CliException(ExitCodes.INVALID, "no executor '" + only + "'; available: "
                    + String.join(", ", registry.executors().keySet()));
        }
        for (Executor e : registry.executors().values()) {
            if (only != null && !only.equals(e.name())) {
                continue;
            }
            cli.out().println(e.name() + " — " + e.summary());
            for (Action a : e.actions()) {
                boolean isDefault = e.defaultAction().filter(a.name()::equals).isPresent();
                cli.out().println("  uses: " + e.name() + "." + a.name() + (isDefault ? "  (or just `" + e.name() + "`)" : "")
                        + "  — " + a.summary());
                a.params().forEach(p -> printParam(p, "      "));
                if (!a.outputs().isEmpty()) {
                    cli.out().println("      outputs: " + String.join(", ", a.outputs().stream().map(OutputSpec::name).toList()));
                }
            }
            cli.out().println();
        }
        return ExitCodes.OK;
    }

    /** One parameter per line, then its nested keys (or its list elements' and map values' keys), indented under it. */
    private void printParam(ParamSpec p, String indent) {
        StringBuilder line = new StringBuilder(indent).append(p.name()).append(": ").append(p.typeLabel());
        if (p.required() && p.defaultValue() == null) {
            line.append(", required");
        }
        if (p.defaultValue() != null) {
            line.append(", default ").append(p.defaultValue());
        }
        if (!p.allowed().isEmpty()) {
            line.append(", one of ").append(String.join("|", p.allowed()));
        }
        if (p.sensitive()) {
            line.append(", may be a secret");
        }
        if (p.description() != null) {
            line.append(" — ").append(p.description());
        }
        cli.out().println(line);
        p.fields().forEach(f -> printParam(f, indent + "    "));
        for (ParamSpec element : new ParamSpec[] {p.items(), p.values()}) {
            if (element != null) {
                element.fields().forEach(f -> printParam(f, indent + "    "));
            }
        }
    }
}
