package dev.runbook.parse;

import dev.runbook.model.Location;
import dev.runbook.model.Problem;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A YAML document as plain Java values (Map, List, String, Long, Double, Boolean, null)
 * plus the location of every value, keyed by JSON pointer ({@code /steps/0/with/url}).
 *
 * <p>Built from SnakeYAML's node graph rather than its object constructor so that every
 * message can name a line, and so hostile input is refused: documents over
 * {@link #MAX_BYTES}, alias bombs (few aliases allowed, and the expanded tree is bounded),
 * deep nesting, and duplicate keys (which YAML parsers otherwise resolve silently, last wins).
 */
public final class YamlTree {

    static final int MAX_BYTES = 8 * 1024 * 1024;
    private static final int MAX_NODES = 2_000_000;
    private static final int MAX_DEPTH = 64;
    private static final int MAX_ALIASES = 50;

    private final Object root;
    private final Map<String, Location> locations;

    private YamlTree(Object root, Map<String, Location> locations) {
        this.root = root;
        this.locations = locations;
    }

    public Object root() {
        return root;
    }

    /** Location of the value at a JSON pointer, or of its nearest written ancestor. */
    public Location locate(String pointer) {
        String p = pointer;
        while (true) {
            Location l = locations.get(p);
            if (l != null) {
                return l;
            }
            int slash = p.lastIndexOf('/');
            if (slash <= 0) {
                return locations.getOrDefault("", Location.unknown(""));
            }
            p = p.substring(0, slash);
        }
    }

    /** Location of a mapping key (for "unknown field" messages), falling back to its value. */
    public Location locateKey(String pointer) {
        Location l = locations.get(pointer + "#key");
        return l != null ? l : locate(pointer);
    }

    /**
     * Parses a document, or returns the problems that make it unreadable.
     *
     * @param fileName used in locations
     */
    public static Result parse(String fileName, String text) {
        List<Problem> problems = new ArrayList<>();
        if (text.length() > MAX_BYTES) {
            problems.add(Problem.at(new Location(fileName, YamlErrors.lineAt(text, MAX_BYTES), 1),
                    "file is larger than " + (MAX_BYTES / 1024 / 1024) + " MiB (the limit is reached on this line); "
                            + "a runbook never needs that much"));
            return new Result(null, problems);
        }
        problems.addAll(YamlErrors.tabs(fileName, text));
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        options.setAllowRecursiveKeys(false);
        Node node;
        try {
            node = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            problems.add(YamlErrors.explain(fileName, text, e));
            return new Result(null, problems);
        } catch (YAMLException e) {
            problems.add(YamlErrors.guard(fileName, text, e, MAX_ALIASES, MAX_DEPTH));
            return new Result(null, problems);
        }
        if (node == null) {
            problems.add(Problem.at(new Location(fileName, 1, 1), "the file is empty"));
            return new Result(null, problems);
        }
        Converter converter = new Converter(fileName, problems);
        Object root = converter.convert(node, "", 0);
        if (!problems.isEmpty()) {
            return new Result(null, problems);
        }
        return new Result(new YamlTree(root, converter.locations), problems);
    }

    public record Result(YamlTree tree, List<Problem> problems) {
    }

    private static Location location(String file, Mark mark) {
        return mark == null ? Location.unknown(file) : new Location(file, mark.getLine() + 1, mark.getColumn() + 1);
    }

    /** Walks the node graph once, counting nodes so aliases cannot multiply the work. */
    private static final class Converter {
        private final String file;
        private final List<Problem> problems;
        private final Map<String, Location> locations = new HashMap<>();
        private int nodes;

        Converter(String file, List<Problem> problems) {
            this.file = file;
            this.problems = problems;
        }

        Object convert(Node node, String pointer, int depth) {
            if (++nodes > MAX_NODES || depth > MAX_DEPTH) {
                if (nodes == MAX_NODES + 1 || depth == MAX_DEPTH + 1) {
                    problems.add(Problem.at(location(file, node.getStartMark()),
                            nodes > MAX_NODES ? "the aliases (*name) expand to more than " + MAX_NODES
                                    + " values by here (an alias bomb?); refusing to read it"
                                    : "nested more than " + MAX_DEPTH + " levels deep; a runbook never needs that: refusing to read it"));
                }
                return null;
            }
            locations.putIfAbsent(pointer, location(file, node.getStartMark()));
            if (node instanceof MappingNode mapping) {
                Map<String, Object> out = new LinkedHashMap<>();
                for (NodeTuple tuple : mapping.getValue()) {
                    if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                        problems.add(Problem.at(location(file, tuple.getKeyNode().getStartMark()),
                                "mapping keys must be plain words"));
                        continue;
                    }
                    String key = keyNode.getValue();
                    if (key.equals("<<")) {
                        problems.add(Problem.at(location(file, keyNode.getStartMark()),
                                "YAML merge keys (<<) are not supported in runbooks; write the fields out"));
                        continue;
                    }
                    String child = pointer + "/" + escape(key);
                    if (out.containsKey(key)) {
                        problems.add(Problem.at(location(file, keyNode.getStartMark()),
                                "duplicate key '" + key + "' (first written at line "
                                        + locations.get(child + "#key").line() + ")"));
                        continue;
                    }
                    locations.put(child + "#key", location(file, keyNode.getStartMark()));
                    out.put(key, convert(tuple.getValueNode(), child, depth + 1));
                }
                return out;
            }
            if (node instanceof SequenceNode sequence) {
                List<Object> out = new ArrayList<>();
                int i = 0;
                for (Node item : sequence.getValue()) {
                    out.add(convert(item, pointer + "/" + i++, depth + 1));
                }
                return out;
            }
            return scalar((ScalarNode) node);
        }

        private Object scalar(ScalarNode node) {
            String v = node.getValue();
            Tag tag = node.getTag();
            try {
                if (tag.equals(Tag.NULL)) {
                    return null;
                }
                if (tag.equals(Tag.BOOL)) {
                    return Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT));
                }
                if (tag.equals(Tag.INT)) {
                    return Long.parseLong(v.replace("_", ""));
                }
                if (tag.equals(Tag.FLOAT)) {
                    return Double.parseDouble(v.replace("_", ""));
                }
            } catch (NumberFormatException e) {
                return v; // odd forms (0o17, 1:20) stay text; validation reports a type mismatch if it matters
            }
            return v;
        }

        static String escape(String key) {
            return key.replace("~", "~0").replace("/", "~1");
        }
    }
}
