package dev.runbook.graph;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StepGraphTest {

    private static StepGraph graph(List<String> ids, Map<String, List<String>> needs, Map<String, Set<String>> refs) {
        return StepGraph.build(ids, needs, refs);
    }

    @Test
    void plainListRunsTopToBottom() {
        StepGraph g = graph(List.of("a", "b", "c"), Map.of(), Map.of());
        assertEquals(Set.of(), g.dependenciesOf("a"));
        assertEquals(Set.of("a"), g.dependenciesOf("b"));
        assertEquals(Set.of("b"), g.dependenciesOf("c"));
        assertEquals(List.of(List.of("a"), List.of("b"), List.of("c")), g.waves());
    }

    @Test
    void explicitNeedsReplaceTheImplicitEdge() {
        StepGraph g = graph(List.of("ready", "dump", "files", "notify"),
                Map.of("dump", List.of("ready"), "files", List.of("ready"), "notify", List.of("dump", "files")), Map.of());
        assertEquals(Set.of("ready"), g.dependenciesOf("files"), "files must not wait for dump, written before it");
        assertEquals(List.of(List.of("ready"), List.of("dump", "files"), List.of("notify")), g.waves());
    }

    @Test
    void emptyNeedsMeansNoDependency() {
        StepGraph g = graph(List.of("a", "b"), Map.of("b", List.of()), Map.of());
        assertEquals(Set.of(), g.dependenciesOf("b"));
        assertEquals(List.of(List.of("a", "b")), g.waves());
    }

    @Test
    void outputReferencesAreEdges() {
        // c reads a's output: it waits for a only, so b and c run together after a
        StepGraph g = graph(List.of("a", "b", "c"), Map.of("b", List.of("a")), Map.of("c", Set.of("a")));
        assertEquals(Set.of("a"), g.dependenciesOf("c"));
        assertEquals(List.of(List.of("a"), List.of("b", "c")), g.waves());
    }

    @Test
    void needsAndReferencesCombine() {
        StepGraph g = graph(List.of("a", "b", "c"), Map.of("c", List.of("a")), Map.of("c", Set.of("b")));
        assertEquals(Set.of("a", "b"), g.dependenciesOf("c"));
    }

    @Test
    void selfReferencesAndUnknownIdsAreIgnored() {
        StepGraph g = graph(List.of("a", "b"), Map.of("b", List.of("nope")), Map.of("a", Set.of("a")));
        assertEquals(Set.of(), g.dependenciesOf("a"));
        // unknown needs are reported by the validator; here they leave no edge behind
        assertEquals(Set.of(), g.dependenciesOf("b"));
    }

    @Test
    void wavesKeepFileOrderAndAWaveOnlyDependsOnEarlierWaves() {
        StepGraph g = graph(List.of("x", "y", "z", "w"),
                Map.of("y", List.of(), "z", List.of("x"), "w", List.of("y", "z")), Map.of());
        List<List<String>> waves = g.waves();
        assertEquals(List.of(List.of("x", "y"), List.of("z"), List.of("w")), waves);
        assertEquals(List.of("x", "y", "z", "w"), g.topologicalOrder());
    }

    @Test
    void cycleIsFoundAsAPathInExecutionOrder() {
        // a needs c, b needs a, c needs b: c → a → b → c (read: a runs after c, ...)
        StepGraph g = graph(List.of("a", "b", "c"),
                Map.of("a", List.of("c"), "b", List.of("a"), "c", List.of("b")), Map.of());
        Optional<List<String>> cycle = g.findCycle();
        assertTrue(cycle.isPresent());
        List<String> path = cycle.get();
        assertEquals(path.get(0), path.get(path.size() - 1), "the path starts and ends at the same step");
        assertEquals(4, path.size());
        for (int i = 1; i < path.size(); i++) {
            assertTrue(g.dependenciesOf(path.get(i)).contains(path.get(i - 1)),
                    path.get(i) + " must wait for " + path.get(i - 1) + " in " + path);
        }
        assertThrows(IllegalStateException.class, g::topologicalOrder);
    }

    @Test
    void noCycleInADiamond() {
        StepGraph g = graph(List.of("a", "b", "c", "d"),
                Map.of("b", List.of("a"), "c", List.of("a"), "d", List.of("b", "c")), Map.of());
        assertEquals(Optional.empty(), g.findCycle());
    }

    @Test
    void downstreamOfIsTheStepAndEverythingWaitingForItTransitively() {
        StepGraph g = graph(List.of("a", "b", "c", "d", "e"),
                Map.of("b", List.of("a"), "c", List.of("a"), "d", List.of("c"), "e", List.of()), Map.of());
        assertEquals(Set.of("c", "d"), g.downstreamOf("c"));
        assertEquals(Set.of("a", "b", "c", "d"), g.downstreamOf("a"));
        assertEquals(Set.of("e"), g.downstreamOf("e"));
    }
}
