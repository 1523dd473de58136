package dev.runbook.graph;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The steps of one section as a directed acyclic graph: an edge A → B means B waits for A.
 * Edges come from {@code needs:}, from references to another step's outputs, and, for a step
 * with neither, from the step written before it, so a plain list runs top to bottom like the
 * wiki page it replaces.
 */
public final class StepGraph {

    private final List<String> order;                 // file order
    private final Map<String, Set<String>> dependencies; // step → the steps it waits for

    private StepGraph(List<String> order, Map<String, Set<String>> dependencies) {
        this.order = List.copyOf(order);
        this.dependencies = dependencies;
    }

    /**
     * @param ids        step ids in file order
     * @param explicit   step → ids named in {@code needs:}
     * @param referenced step → ids whose outputs or status it reads
     */
    public static StepGraph build(List<String> ids, Map<String, List<String>> explicit, Map<String, Set<String>> referenced) {
        Map<String, Set<String>> deps = new LinkedHashMap<>();
        Set<String> known = new java.util.HashSet<>(ids);
        String previous = null;
        for (String id : ids) {
            Set<String> d = new LinkedHashSet<>(explicit.getOrDefault(id, List.of()));
            d.addAll(referenced.getOrDefault(id, Set.of()));
            d.remove(id);
            d.retainAll(known);
            if (d.isEmpty() && previous != null && !explicit.containsKey(id)) {
                d.add(previous);
            }
            deps.put(id, Collections.unmodifiableSet(d));
            previous = id;
        }
        return new StepGraph(ids, Collections.unmodifiableMap(deps));
    }

    public List<String> steps() {
        return order;
    }

    public Set<String> dependenciesOf(String id) {
        return dependencies.getOrDefault(id, Set.of());
    }

    /**
     * A cycle as a path that starts and ends at the same step, if there is one. Iterative
     * depth-first search: a 5,000-step chain must not overflow the stack.
     */
    public Optional<List<String>> findCycle() {
        Map<String, Integer> state = new LinkedHashMap<>(); // 1 = on the current path, 2 = done
        for (String start : order) {
            if (state.containsKey(start)) {
                continue;
            }
            Deque<String> path = new ArrayDeque<>();
            Deque<java.util.Iterator<String>> pending = new ArrayDeque<>();
            path.addLast(start);
            pending.addLast(dependenciesOf(start).iterator());
            state.put(start, 1);
            while (!path.isEmpty()) {
                java.util.Iterator<String> next = pending.peekLast();
                if (!next.hasNext()) {
                    state.put(path.removeLast(), 2);
                    pending.removeLast();
                    continue;
                }
                String dep = next.next();
                Integer s = state.get(dep);
                if (s != null && s == 1) {
                    List<String> onPath = new ArrayList<>(path);
                    List<String> cycle = new ArrayList<>(onPath.subList(onPath.indexOf(dep), onPath.size()));
                    cycle.add(dep);
                    Collections.reverse(cycle); // read in execution order: a → b → a
                    return Optional.of(cycle);
                }
                if (s == null) {
                    state.put(dep, 1);
                    path.addLast(dep);
                    pending.addLast(dependenciesOf(dep).iterator());
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Groups of steps that can run together: every step of a wave depends only on steps of
     * earlier waves. Within a wave, file order. Requires an acyclic graph.
     */
    public List<List<String>> waves() {
        Map<String, Integer> level = new LinkedHashMap<>();
        for (String id : topologicalOrder()) {
            int l = 0;
            for (String dep : dependenciesOf(id)) {
                l = Math.max(l, level.get(dep) + 1);
            }
            level.put(id, l);
        }
        List<List<String>> waves = new ArrayList<>();
        for (String id : order) {
            int l = level.get(id);
            while (waves.size() <= l) {
                waves.add(new ArrayList<>());
            }
            waves.get(l).add(id);
        }
        return waves;
    }

    /** Steps in an order that respects every edge (Kahn's algorithm, ties in file order). */
    public List<String> topologicalOrder() {
        Map<String, Integer> remaining = new LinkedHashMap<>();
        Map<String, List<String>> dependents = new LinkedHashMap<>();
        for (String id : order) {
            remaining.put(id, dependenciesOf(id).size());
            for (String dep : dependenciesOf(id)) {
                dependents.computeIfAbsent(dep, k -> new ArrayList<>()).add(id);
            }
        }
        List<String> out = new ArrayList<>();
        Deque<String> ready = new ArrayDeque<>();
        order.stream().filter(id -> remaining.get(id) == 0).forEach(ready::add);
        while (!ready.isEmpty()) {
            String id = ready.removeFirst();
            out.add(id);
            for (String next : dependents.getOrDefault(id, List.of())) {
                if (remaining.merge(next, -1, Integer::sum) == 0) {
                    ready.addLast(next);
                }
            }
        }
        if (out.size() != order.size()) {
            throw new IllegalStateException("the step graph has a cycle: " + findCycle().orElse(List.of()));
        }
        return out;
    }

    /** The step and everything that (transitively) waits for it: what {@code --rerun} runs again. */
    public Set<String> downstreamOf(String id) {
        Set<String> out = new LinkedHashSet<>();
        out.add(id);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (String s : order) {
                if (!out.contains(s) && dependenciesOf(s).stream().anyMatch(out::contains)) {
                    out.add(s);
                    grew = true;
                }
            }
        }
        return out;
    }
}
