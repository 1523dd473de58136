package dev.runbook.cli;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Steps named like Mermaid and DOT keywords still give valid graphs: ids are never bare. */
class GraphCommandTest {

    private static final String KEYWORDS = """
            name: keywords
            steps:
              - { id: end, uses: approve, with: { message: ok } }
              - { id: graph, uses: approve, needs: [end], with: { message: ok } }
              - { id: subgraph, uses: approve, needs: [graph], with: { message: ok } }
              - { id: a-b, uses: approve, needs: [subgraph], with: { message: ok } }
              - { id: edge, uses: approve, needs: [a-b], with: { message: ok } }
            finally:
              - { id: node, uses: approve, with: { message: ok } }
            """;

    @TempDir
    Path dir;
    CliRunner cli;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(dir.resolve("kw.yaml"), KEYWORDS);
        cli = new CliRunner(dir, Map.of());
    }

    @Test
    void mermaidNeverUsesAStepIdAsANodeId() {
        CliRunner.Result r = cli.run("graph", "kw.yaml", "--format", "mermaid");
        assertEquals(0, r.code(), r.toString());
        List<String> lines = r.out().lines().map(String::trim).toList();
        // a bare `end` line may only close the finally subgraph; the `end` step lives inside a quoted label
        assertEquals(1, lines.stream().filter(l -> l.equals("end")).count(), r.out());
        assertTrue(lines.contains("s0 --> s1") && lines.contains("s1 --> s2"), r.out());
        assertTrue(r.out().contains("s0[\"end<br/>"), r.out());
        assertTrue(r.out().contains("s3[\"a-b<br/>") && r.out().contains("s4[\"edge<br/>"), r.out());
        assertTrue(lines.contains("s3 --> s4"), r.out());
        for (String l : lines) {
            assertFalse(l.matches("(end|graph|subgraph|node|edge)\\b.*-->.*"), "a keyword as a node id: " + l);
        }
    }

    @Test
    void dotQuotesEveryIdAndGraphvizAcceptsIt() throws Exception {
        CliRunner.Result r = cli.run("graph", "kw.yaml", "--format", "dot");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("digraph \"keywords\" {"), r.out());
        assertTrue(r.out().contains("\"graph\" -> \"subgraph\";"), r.out());
        assertTrue(r.out().contains("\"a-b\" -> \"edge\";"), r.out());
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/dot")), "Graphviz (Debian's graphviz) is not installed");
        Path input = Files.writeString(dir.resolve("g.dot"), r.out());
        Process dot = new ProcessBuilder("/usr/bin/dot", "-Tsvg", input.toString()).redirectErrorStream(true).start();
        String output = new String(dot.getInputStream().readAllBytes());
        assertTrue(dot.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, dot.exitValue(), output);
        assertTrue(output.contains("<title>subgraph</title>"), "Graphviz drew the step named subgraph:\n" + output);
    }
}
