package dev.runbook.cli;

import dev.runbook.graph.StepGraph;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.ValidRunbook.Section;
import dev.runbook.registry.ExecutorRegistry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code runbook graph FILE --format mermaid|dot}: the step graph, for docs and reviews. */
@Command(name = "graph", mixinStandardHelpOptions = true, description = "Draw the step graph as Mermaid or Graphviz dot.")
final class GraphCommand implements Callable<Integer> {

    enum Format { mermaid, dot }

    private final Cli cli;
    private final ExecutorRegistry registry;

    @Parameters(index = "0", paramLabel = "FILE")
    Path file;

    @Option(names = "--format", defaultValue = "mermaid", description = "mermaid or dot")
    Format format;

    GraphCommand(Cli cli, ExecutorRegistry registry) {
        this.cli = cli;
        this.registry = registry;
    }

    @Override
    public Integer call() {
        ValidRunbook valid = Runbooks.load(cli, registry, file);
        cli.out().print(format == Format.mermaid ? mermaid(valid) : dot(valid));
        cli.out().flush();
        return ExitCodes.OK;
    }

    static String mermaid(ValidRunbook valid) {
        StringBuilder out = new StringBuilder("flowchart TD\n");
        for (Section section : Section.values()) {
            StepGraph g = valid.graph(section);
            if (g.steps().isEmpty()) {
                continue;
            }
            if (section != Section.MAIN) {
                out.append("  subgraph ").append(section.name().toLowerCase(Locale.ROOT).replace('_', '-')).append('\n');
            }
            for (String id : g.steps()) {
                out.append("  ").append(node(id)).append("[\"").append(id).append("<br/><small>")
                        .append(valid.steps().get(id).usesLabel()).append("</small>\"]\n");
                for (String dep : g.dependenciesOf(id)) {
                    out.append("  ").append(node(dep)).append(" --> ").append(node(id)).append('\n');
                }
            }
            if (section != Section.MAIN) {
                out.append("  end\n");
            }
        }
        return out.toString();
    }

    static String dot(ValidRunbook valid) {
        StringBuilder out = new StringBuilder("digraph \"" + valid.runbook().name() + "\" {\n  rankdir=TB;\n  node [shape=box];\n");
        for (Section section : Section.values()) {
            StepGraph g = valid.graph(section);
            if (g.steps().isEmpty()) {
                continue;
            }
            if (section != Section.MAIN) {
                out.append("  subgraph \"cluster_").append(section.name().toLowerCase(Locale.ROOT)).append("\" {\n    label=\"")
                        .append(section.name().toLowerCase(Locale.ROOT).replace('_', '-')).append("\";\n");
            }
            for (String id : g.steps()) {
                out.append("  \"").append(id).append("\" [label=\"").append(id).append("\\n")
                        .append(valid.steps().get(id).usesLabel()).append("\"];\n");
                for (String dep : g.dependenciesOf(id)) {
                    out.append("  \"").append(dep).append("\" -> \"").append(id).append("\";\n");
                }
            }
            if (section != Section.MAIN) {
                out.append("  }\n");
            }
        }
        return out.append("}\n").toString();
    }

    private static String node(String id) {
        return id.replaceAll("[^A-Za-z0-9_]", "_");
    }
}
