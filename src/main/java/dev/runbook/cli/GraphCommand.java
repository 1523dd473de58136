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

    /**
     * Mermaid node ids are never the step ids themselves: a step named {@code end}, {@code graph}
     * or {@code subgraph} is a keyword there, and {@code a-b} / {@code a_b} would collide once
     * cleaned. Each step gets {@code s<N>}; its id is only ever shown inside a quoted label.
     */
    static String mermaid(ValidRunbook valid) {
        java.util.Map<String, String> nodes = new java.util.HashMap<>();
        java.util.function.Function<String, String> node = id -> nodes.computeIfAbsent(id, k -> "s" + nodes.size());
        StringBuilder out = new StringBuilder("flowchart TD\n");
        for (Section section : Section.values()) {
            StepGraph g = valid.graph(section);
            if (g.steps().isEmpty()) {
                continue;
            }
            if (section != Section.MAIN) {
                out.append("  subgraph section_").append(section.name().toLowerCase(Locale.ROOT))
                        .append(" [\"").append(section.name().toLowerCase(Locale.ROOT).replace('_', '-')).append("\"]\n");
            }
            for (String id : g.steps()) {
                out.append("  ").append(node.apply(id)).append("[\"").append(mermaidText(id)).append("<br/><small>")
                        .append(mermaidText(valid.steps().get(id).usesLabel())).append("</small>\"]\n");
                for (String dep : g.dependenciesOf(id)) {
                    out.append("  ").append(node.apply(dep)).append(" --> ").append(node.apply(id)).append('\n');
                }
            }
            if (section != Section.MAIN) {
                out.append("  end\n");
            }
        }
        return out.toString();
    }

    static String dot(ValidRunbook valid) {
        StringBuilder out = new StringBuilder("digraph " + dotId(valid.runbook().name()) + " {\n  rankdir=TB;\n  node [shape=box];\n");
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
                out.append("  ").append(dotId(id)).append(" [label=").append(dotId(id + "\n" + valid.steps().get(id).usesLabel()))
                        .append("];\n");
                for (String dep : g.dependenciesOf(id)) {
                    out.append("  ").append(dotId(dep)).append(" -> ").append(dotId(id)).append(";\n");
                }
            }
            if (section != Section.MAIN) {
                out.append("  }\n");
            }
        }
        return out.append("}\n").toString();
    }

    /** Text inside a quoted Mermaid label: quotes and angle brackets as entities. */
    private static String mermaidText(String text) {
        return text.replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;");
    }

    /** A DOT quoted string: every id is quoted, so keywords (graph, node, edge, subgraph) are plain names. */
    private static String dotId(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}
