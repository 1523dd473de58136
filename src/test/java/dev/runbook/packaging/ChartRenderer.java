package dev.runbook.packaging;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * NOT Helm: no helm binary can be installed on the build machines (neither Debian nor npm
 * packages it), so the chart's templates are rendered here by a small interpreter of the part of
 * Go templates and Sprig the chart uses, with Helm's whitespace trimming ({{- and -}}):
 * <ul>
 *   <li>actions: {@code if / else / end}, {@code range $v := X}, {@code range $k, $v := X} (maps in
 *   key order, as Go does), {@code $x := X}, pipelines {@code a | f b};</li>
 *   <li>operands: {@code .Values.a.b}, {@code $}, {@code $x.a}, {@code .Release.Name|Namespace|Service},
 *   string and number literals, {@code (parenthesised pipelines)};</li>
 *   <li>functions: {@code quote}, {@code nindent}, {@code indent}, {@code toYaml}, {@code upper},
 *   {@code printf} (%s only), {@code dict}, {@code index}, {@code and}, {@code fail},
 *   {@code semverCompare} (only {@code ">=X.Y[-0]"}),
 *   {@code .Files.Get}, {@code .Capabilities.APIVersions.Has "group/version/Kind"},
 *   {@code .Capabilities.KubeVersion.Version}.</li>
 * </ul>
 * Anything else fails the test, so a template that grows beyond this subset is noticed rather
 * than silently mis-rendered. A map key missing from the values fails too (Helm would print
 * "&lt;no value&gt;" or take it as false), which catches typos in value names.
 */
final class ChartRenderer {

    private static final Pattern ACTION = Pattern.compile("\\{\\{(-?)\\s*(.*?)\\s*(-?)}}", Pattern.DOTALL);
    private static final Pattern RANGE = Pattern.compile("range\\s+(\\$\\w+)(?:\\s*,\\s*(\\$\\w+))?\\s*:=\\s*(.+)", Pattern.DOTALL);
    private static final Pattern ASSIGN = Pattern.compile("(\\$\\w+)\\s*:=\\s*(.+)", Pattern.DOTALL);
    private static final Pattern SEMVER_GE = Pattern.compile(">=(\\d+)\\.(\\d+)(?:-0)?");
    private static final Pattern VERSION = Pattern.compile("v?(\\d+)\\.(\\d+).*");

    /** What {@code .Capabilities} says: the cluster's version and its "group/version/Kind"s. */
    record Capabilities(int major, int minor, Set<String> apiVersions) {
        /** A current cluster (1.30): batch/v1 CronJobs with time zones. */
        static final Capabilities CURRENT = new Capabilities(1, 30, Set.of("batch/v1/CronJob", "batch/v1/Job"));
        /** Kubernetes 1.20: CronJobs only as batch/v1beta1, no time zones. */
        static final Capabilities K8S_1_20 = new Capabilities(1, 20, Set.of("batch/v1beta1/CronJob", "batch/v1/Job"));
    }

    /** Helm's {@code fail}: rendering stops with the chart's message. */
    static final class ChartFailure extends RuntimeException {
        ChartFailure(String message) {
            super(message);
        }
    }

    /** A method of a built-in object ({@code .Files.Get}, {@code .Capabilities.APIVersions.Has}). */
    @FunctionalInterface
    private interface Method {
        Object call(List<Object> args);
    }

    private sealed interface Node permits Text, Output, If, Range, Assign {
    }

    private record Text(String text) implements Node {
    }

    private record Output(String pipeline) implements Node {
    }

    private record If(String condition, List<Node> then, List<Node> otherwise) implements Node {
    }

    private record Range(String key, String value, String pipeline, List<Node> body) implements Node {
    }

    private record Assign(String variable, String pipeline) implements Node {
    }

    private record Token(boolean action, String text) {
    }

    private final Path chartDir;
    private final Map<String, Object> root;

    ChartRenderer(Path chartDir, Map<String, Object> values, String releaseName, String namespace) {
        this(chartDir, values, releaseName, namespace, Capabilities.CURRENT);
    }

    ChartRenderer(Path chartDir, Map<String, Object> values, String releaseName, String namespace, Capabilities capabilities) {
        this.chartDir = chartDir;
        Map<String, Object> release = Map.of("Name", releaseName, "Namespace", namespace, "Service", "Helm");
        Method has = args -> capabilities.apiVersions().contains(string(only(args, "Has")));
        Map<String, Object> caps = Map.of(
                "APIVersions", Map.of("Has", has),
                "KubeVersion", Map.of("Version", "v" + capabilities.major() + "." + capabilities.minor() + ".0"));
        Method get = args -> readChartFile(chartDir, string(only(args, "Files.Get")));
        this.root = Map.of("Values", values, "Release", release, "Capabilities", caps, "Files", Map.of("Get", get));
    }

    String render(String template) {
        List<Token> tokens = tokenize(template);
        int[] pos = {0};
        List<Node> nodes = parse(tokens, pos);
        if (pos[0] != tokens.size()) {
            throw new AssertionError("unexpected {{ " + tokens.get(pos[0]).text() + " }} at top level");
        }
        StringBuilder out = new StringBuilder();
        Map<String, Object> vars = new HashMap<>();
        vars.put("$", root);
        execute(nodes, root, vars, out);
        return out.toString();
    }

    /** Text and actions, with the whitespace Helm trims beside {{- and -}} already removed. */
    private static List<Token> tokenize(String template) {
        List<Token> tokens = new ArrayList<>();
        Matcher m = ACTION.matcher(template);
        int last = 0;
        boolean trimNext = false;
        while (m.find()) {
            String text = template.substring(last, m.start());
            if (trimNext) {
                text = text.stripLeading();
            }
            if (!m.group(1).isEmpty()) {
                text = text.stripTrailing();
            }
            tokens.add(new Token(false, text));
            tokens.add(new Token(true, m.group(2)));
            trimNext = !m.group(3).isEmpty();
            last = m.end();
        }
        String tail = template.substring(last);
        tokens.add(new Token(false, trimNext ? tail.stripLeading() : tail));
        return tokens;
    }

    /** Nodes from {@code pos} until an else/end (left at pos) or the end of the tokens. */
    private static List<Node> parse(List<Token> tokens, int[] pos) {
        List<Node> nodes = new ArrayList<>();
        while (pos[0] < tokens.size()) {
            Token t = tokens.get(pos[0]);
            String a = t.text();
            if (!t.action()) {
                nodes.add(new Text(a));
                pos[0]++;
            } else if (a.equals("else") || a.equals("end")) {
                return nodes;
            } else if (a.startsWith("if ")) {
                pos[0]++;
                List<Node> then = parse(tokens, pos);
                List<Node> otherwise = List.of();
                if (at(tokens, pos, "else")) {
                    pos[0]++;
                    otherwise = parse(tokens, pos);
                }
                expectEnd(tokens, pos, a);
                nodes.add(new If(a.substring(3).strip(), then, otherwise));
            } else if (a.startsWith("range ")) {
                Matcher r = RANGE.matcher(a);
                if (!r.matches()) {
                    throw new AssertionError("the test renderer supports only 'range $v := X' and 'range $k, $v := X', not {{ " + a + " }}");
                }
                pos[0]++;
                List<Node> body = parse(tokens, pos);
                expectEnd(tokens, pos, a);
                nodes.add(r.group(2) == null ? new Range(null, r.group(1), r.group(3).strip(), body)
                        : new Range(r.group(1), r.group(2), r.group(3).strip(), body));
            } else if (ASSIGN.matcher(a).matches()) {
                Matcher m = ASSIGN.matcher(a);
                m.matches();
                nodes.add(new Assign(m.group(1), m.group(2).strip()));
                pos[0]++;
            } else {
                nodes.add(new Output(a));
                pos[0]++;
            }
        }
        return nodes;
    }

    private static boolean at(List<Token> tokens, int[] pos, String action) {
        return pos[0] < tokens.size() && tokens.get(pos[0]).action() && tokens.get(pos[0]).text().equals(action);
    }

    private static void expectEnd(List<Token> tokens, int[] pos, String opener) {
        if (!at(tokens, pos, "end")) {
            throw new AssertionError("{{ " + opener + " }} without {{ end }}");
        }
        pos[0]++;
    }

    private void execute(List<Node> nodes, Object dot, Map<String, Object> vars, StringBuilder out) {
        Map<String, Object> scope = new HashMap<>(vars); // variables declared in a block end with it, as in Go
        for (Node node : nodes) {
            if (node instanceof Text t) {
                out.append(t.text());
            } else if (node instanceof Output o) {
                out.append(text(new Expression(o.pipeline(), dot, scope).pipeline(), o.pipeline()));
            } else if (node instanceof Assign a) {
                scope.put(a.variable(), new Expression(a.pipeline(), dot, scope).pipeline());
            } else if (node instanceof If i) {
                execute(truthy(new Expression(i.condition(), dot, scope).pipeline()) ? i.then() : i.otherwise(), dot, scope, out);
            } else if (node instanceof Range r) {
                range(r, dot, scope, out);
            }
        }
    }

    private void range(Range r, Object dot, Map<String, Object> scope, StringBuilder out) {
        Object over = new Expression(r.pipeline(), dot, scope).pipeline();
        Map<Object, Object> items = new LinkedHashMap<>();
        if (over instanceof Map<?, ?> map) {
            map.keySet().stream().map(String::valueOf).sorted().forEach(k -> items.put(k, map.get(k))); // Go: key order
        } else if (over instanceof List<?> list) {
            for (int n = 0; n < list.size(); n++) {
                items.put(n, list.get(n));
            }
        } else if (over != null) {
            throw new AssertionError("{{ range }} over " + over.getClass().getSimpleName() + " in " + r.pipeline());
        }
        for (Map.Entry<Object, Object> e : items.entrySet()) {
            Map<String, Object> inner = new HashMap<>(scope);
            if (r.key() != null) {
                inner.put(r.key(), e.getKey());
            }
            inner.put(r.value(), e.getValue());
            execute(r.body(), e.getValue(), inner, out);
        }
    }

    /** One action's pipeline, parsed and evaluated in one pass (Go's text/template grammar, reduced). */
    private final class Expression {
        private final String src;
        private final Object dot;
        private final Map<String, Object> vars;
        private int i;

        Expression(String src, Object dot, Map<String, Object> vars) {
            this.src = src;
            this.dot = dot;
            this.vars = vars;
        }

        Object pipeline() {
            Object value = pipelineUntil((char) 0);
            if (i < src.length()) {
                throw new AssertionError("cannot read '" + src.substring(i) + "' in {{ " + src + " }}");
            }
            return value;
        }

        private Object pipelineUntil(char close) {
            Object value = command(null, false);
            skipSpaces();
            while (i < src.length() && src.charAt(i) == '|') {
                i++;
                value = command(value, true);
                skipSpaces();
            }
            if (close != 0) {
                if (i >= src.length() || src.charAt(i) != close) {
                    throw new AssertionError("missing '" + close + "' in {{ " + src + " }}");
                }
                i++;
            }
            return value;
        }

        /** {@code f a b} or a single operand; a piped value becomes the last argument, as in Go. */
        private Object command(Object piped, boolean hasPiped) {
            skipSpaces();
            String function = null;
            Method method = null;
            List<Object> args = new ArrayList<>();
            Matcher word = Pattern.compile("[A-Za-z]\\w*").matcher(src).region(i, src.length());
            if (word.lookingAt() && !List.of("true", "false", "nil").contains(word.group())) {
                function = word.group();
                i = word.end();
            } else {
                Object first = operand();
                if (first instanceof Method m) {
                    method = m;
                } else {
                    args.add(first);
                }
            }
            for (skipSpaces(); i < src.length() && src.charAt(i) != '|' && src.charAt(i) != ')'; skipSpaces()) {
                args.add(operand());
            }
            if (hasPiped) {
                args.add(piped);
            }
            if (function != null) {
                return call(function, args);
            }
            if (method != null) {
                return method.call(args);
            }
            if (args.size() != 1) {
                throw new AssertionError("arguments given to a value in {{ " + src + " }}");
            }
            return args.get(0);
        }

        private Object operand() {
            char c = src.charAt(i);
            if (c == '(') {
                i++;
                return pipelineUntil(')');
            }
            if (c == '"') {
                StringBuilder s = new StringBuilder();
                for (i++; src.charAt(i) != '"'; i++) {
                    if (src.charAt(i) == '\\') {
                        i++;
                    }
                    s.append(src.charAt(i));
                }
                i++;
                return s.toString();
            }
            Matcher m = Pattern.compile("-?\\d+|true|false|nil|\\$\\w*((?:\\.\\w+)*)|((?:\\.\\w+)+|\\.)").matcher(src).region(i, src.length());
            if (!m.lookingAt()) {
                throw new AssertionError("the test renderer cannot read '" + src.substring(i) + "' in {{ " + src + " }}");
            }
            i = m.end();
            String t = m.group();
            if (t.equals("true") || t.equals("false")) {
                return Boolean.valueOf(t);
            }
            if (t.equals("nil")) {
                return null;
            }
            if (Character.isDigit(t.charAt(t.length() - 1)) && !t.startsWith("$") && !t.startsWith(".")) {
                return Integer.valueOf(t);
            }
            if (t.startsWith("$")) {
                String name = t.contains(".") ? t.substring(0, t.indexOf('.')) : t;
                if (!vars.containsKey(name)) {
                    throw new AssertionError("undefined variable " + name + " in {{ " + src + " }}");
                }
                return fields(vars.get(name), m.group(1), t);
            }
            return fields(dot, t.equals(".") ? "" : t, t);
        }

        private Object fields(Object start, String chain, String whole) {
            Object node = start;
            for (String key : chain.isEmpty() ? new String[0] : chain.substring(1).split("\\.")) {
                if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
                    throw new AssertionError(whole + " is not defined (a value missing from values.yaml?) in {{ " + src + " }}");
                }
                node = map.get(key);
            }
            return node;
        }

        private void skipSpaces() {
            while (i < src.length() && Character.isWhitespace(src.charAt(i))) {
                i++;
            }
        }

        private Object call(String function, List<Object> args) {
            return switch (function) {
                case "quote" -> '"' + string(one(args)).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
                case "nindent" -> "\n" + indent(string(args.get(1)), (Integer) args.get(0));
                case "indent" -> indent(string(args.get(1)), (Integer) args.get(0));
                case "upper" -> string(one(args)).toUpperCase(Locale.ROOT);
                case "toYaml" -> toYaml(one(args));
                case "printf" -> String.format(string(args.get(0)), args.subList(1, args.size()).stream().map(ChartRenderer::string).toArray());
                case "dict" -> {
                    Map<String, Object> d = new LinkedHashMap<>();
                    for (int n = 0; n + 1 < args.size(); n += 2) {
                        d.put(string(args.get(n)), args.get(n + 1));
                    }
                    yield d;
                }
                case "index" -> {
                    Object node = args.get(0);
                    for (Object key : args.subList(1, args.size())) {
                        node = node instanceof List<?> l ? l.get((Integer) key) : fields(node, "." + key, "index " + key);
                    }
                    yield node;
                }
                case "and" -> args.stream().allMatch(ChartRenderer::truthy);
                case "fail" -> throw new ChartFailure(string(one(args)));
                case "semverCompare" -> semverAtLeast(string(args.get(0)), string(args.get(1)));
                default -> throw new AssertionError("the test renderer does not support the function '" + function + "' in {{ " + src + " }}");
            };
        }

        private Object one(List<Object> args) {
            if (args.size() != 1) {
                throw new AssertionError("one argument expected in {{ " + src + " }}");
            }
            return args.get(0);
        }
    }

    private static boolean semverAtLeast(String constraint, String version) {
        Matcher c = SEMVER_GE.matcher(constraint);
        Matcher v = VERSION.matcher(version);
        if (!c.matches() || !v.matches()) {
            throw new AssertionError("the test renderer supports only semverCompare \">=X.Y\", not " + constraint + " / " + version);
        }
        int major = Integer.parseInt(c.group(1));
        int minor = Integer.parseInt(c.group(2));
        int haveMajor = Integer.parseInt(v.group(1));
        return haveMajor > major || (haveMajor == major && Integer.parseInt(v.group(2)) >= minor);
    }

    private static String readChartFile(Path chartDir, String path) {
        try {
            return Files.readString(chartDir.resolve(path));
        } catch (NoSuchFileException e) {
            throw new AssertionError("the chart has no file " + path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String toYaml(Object value) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        String yaml = new Yaml(options).dump(value);
        return yaml.endsWith("\n") ? yaml.substring(0, yaml.length() - 1) : yaml; // Helm's toYaml trims it too
    }

    private static Object only(List<Object> args, String method) {
        if (args.size() != 1) {
            throw new AssertionError(method + " takes one argument");
        }
        return args.get(0);
    }

    private static String string(Object value) {
        return String.valueOf(value);
    }

    private static String text(Object value, String action) {
        if (value == null) {
            throw new AssertionError("{{ " + action + " }} is null; Helm would print <no value>");
        }
        if (value instanceof Map || value instanceof Collection) {
            throw new AssertionError("{{ " + action + " }} is a map or list: use toYaml");
        }
        return String.valueOf(value);
    }

    private static String indent(String text, int n) {
        String pad = " ".repeat(n);
        return pad + text.replace("\n", "\n" + pad);
    }

    private static boolean truthy(Object v) {
        if (v == null || Boolean.FALSE.equals(v)) {
            return false;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Every object of the chart as YAML, like {@code helm template}: templates/*.yaml in file-name order, split on "---". */
    List<String> renderChart() throws IOException {
        List<String> docs = new ArrayList<>();
        try (Stream<Path> templates = Files.list(chartDir.resolve("templates"))) {
            for (Path t : templates.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (String doc : render(Files.readString(t)).split("(?m)^---\\s*$")) {
                    if (doc.lines().anyMatch(l -> !l.isBlank() && !l.stripLeading().startsWith("#"))) { // Helm skips comment-only documents
                        docs.add(doc.strip() + "\n");
                    }
                }
            }
        }
        return docs;
    }
}
