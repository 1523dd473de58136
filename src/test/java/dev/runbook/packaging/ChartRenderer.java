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
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NOT Helm: no helm binary can be installed on the build machines (neither Debian nor npm
 * packages it), so the chart's templates are rendered here by substituting values for the few
 * template forms the chart uses, with Helm's whitespace trimming ({{- and -}}):
 * {@code .Values.a.b}, {@code .Release.Name|Namespace|Service}, {@code .Files.Get "path"},
 * {@code toYaml X}, pipes {@code | quote}, {@code | nindent N}, {@code | indent N},
 * {@code if X / else / end}, {@code and X (Y)}, {@code fail "message"}, and the cluster's
 * {@code .Capabilities.APIVersions.Has "group/version/Kind"} and
 * {@code semverCompare ">=1.25-0" .Capabilities.KubeVersion.Version} (only the {@code >=} form). Anything else fails the test, so a template that grows beyond this
 * subset is noticed rather than silently mis-rendered. A value missing from values.yaml fails
 * too (Helm would print "&lt;no value&gt;"), which catches typos in value names.
 */
final class ChartRenderer {

    private static final Pattern ACTION = Pattern.compile("\\{\\{(-?)\\s*(.*?)\\s*(-?)}}", Pattern.DOTALL);
    private static final Pattern FILES_GET = Pattern.compile("\\.Files\\.Get \"([^\"]+)\"");
    private static final Pattern HAS = Pattern.compile("\\.Capabilities\\.APIVersions\\.Has \"([^\"]+)\"");
    private static final Pattern SEMVER_GE = Pattern.compile("semverCompare \">=(\\d+)\\.(\\d+)(?:-0)?\" \\.Capabilities\\.KubeVersion\\.Version");
    private static final Pattern FAIL = Pattern.compile("fail \"([^\"]*)\"");

    /** What {@code .Capabilities} says: the cluster's version and its "group/version/Kind"s. */
    record Capabilities(int major, int minor, java.util.Set<String> apiVersions) {
        /** A current cluster (1.30): batch/v1 CronJobs with time zones. */
        static final Capabilities CURRENT = new Capabilities(1, 30, java.util.Set.of("batch/v1/CronJob", "batch/v1/Job"));
        /** Kubernetes 1.20: CronJobs only as batch/v1beta1, no time zones. */
        static final Capabilities K8S_1_20 = new Capabilities(1, 20, java.util.Set.of("batch/v1beta1/CronJob", "batch/v1/Job"));
    }

    /** Helm's {@code fail}: rendering stops with the chart's message. */
    static final class ChartFailure extends RuntimeException {
        ChartFailure(String message) {
            super(message);
        }
    }

    private final Path chartDir;
    private final Map<String, Object> values;
    private final String releaseName;
    private final String namespace;
    private final Capabilities capabilities;

    ChartRenderer(Path chartDir, Map<String, Object> values, String releaseName, String namespace) {
        this(chartDir, values, releaseName, namespace, Capabilities.CURRENT);
    }

    ChartRenderer(Path chartDir, Map<String, Object> values, String releaseName, String namespace, Capabilities capabilities) {
        this.chartDir = chartDir;
        this.values = values;
        this.releaseName = releaseName;
        this.namespace = namespace;
        this.capabilities = capabilities;
    }

    private record Token(boolean action, String text) {
    }

    String render(String template) {
        List<Token> tokens = tokenize(template);
        StringBuilder out = new StringBuilder();
        int end = block(tokens, 0, out, true);
        if (end != tokens.size()) {
            throw new AssertionError("unexpected {{ " + tokens.get(end).text() + " }} at top level");
        }
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

    /** Renders tokens from {@code i} until an else/end (returned index points at it) or the end. */
    private int block(List<Token> tokens, int i, StringBuilder out, boolean emit) {
        while (i < tokens.size()) {
            Token t = tokens.get(i);
            if (!t.action()) {
                if (emit) {
                    out.append(t.text());
                }
                i++;
                continue;
            }
            String a = t.text();
            if (a.equals("else") || a.equals("end")) {
                return i;
            }
            if (a.startsWith("if ")) {
                boolean cond = emit && truthy(evaluate(a.substring(3).strip()));
                i = block(tokens, i + 1, out, emit && cond);
                if (tokens.get(i).text().equals("else")) {
                    i = block(tokens, i + 1, out, emit && !cond);
                }
                if (!tokens.get(i).text().equals("end")) {
                    throw new AssertionError("if without end");
                }
                i++;
                continue;
            }
            if (emit) {
                out.append(text(evaluate(a), a));
            }
            i++;
        }
        return i;
    }

    private Object evaluate(String pipeline) {
        String[] stages = pipeline.split("\\|");
        Object value = term(stages[0].strip());
        for (int s = 1; s < stages.length; s++) {
            String[] fn = stages[s].strip().split("\\s+");
            String v = text(value, pipeline);
            value = switch (fn[0]) {
                case "quote" -> '"' + v.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
                case "nindent" -> "\n" + indent(v, Integer.parseInt(fn[1]));
                case "indent" -> indent(v, Integer.parseInt(fn[1]));
                default -> throw new AssertionError("the test renderer does not support '| " + stages[s].strip() + "'");
            };
        }
        return value;
    }

    private Object term(String term) {
        if (term.startsWith("(") && term.endsWith(")")) {
            return term(term.substring(1, term.length() - 1).strip());
        }
        if (term.startsWith("and ")) {
            for (String operand : operands(term.substring(4).strip())) {
                if (!truthy(term(operand))) {
                    return false;
                }
            }
            return true;
        }
        Matcher has = HAS.matcher(term);
        if (has.matches()) {
            return capabilities.apiVersions().contains(has.group(1));
        }
        Matcher semver = SEMVER_GE.matcher(term);
        if (semver.matches()) {
            int major = Integer.parseInt(semver.group(1));
            int minor = Integer.parseInt(semver.group(2));
            return capabilities.major() > major || (capabilities.major() == major && capabilities.minor() >= minor);
        }
        Matcher fail = FAIL.matcher(term);
        if (fail.matches()) {
            throw new ChartFailure(fail.group(1));
        }
        if (term.startsWith("toYaml ")) {
            DumperOptions options = new DumperOptions();
            options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
            String yaml = new Yaml(options).dump(term(term.substring(7).strip()));
            return yaml.endsWith("\n") ? yaml.substring(0, yaml.length() - 1) : yaml; // Helm's toYaml trims it too
        }
        Matcher files = FILES_GET.matcher(term);
        if (files.matches()) {
            try {
                return Files.readString(chartDir.resolve(files.group(1)));
            } catch (NoSuchFileException e) {
                throw new AssertionError("the chart has no file " + files.group(1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        switch (term) {
            case ".Release.Name": return releaseName;
            case ".Release.Namespace": return namespace;
            case ".Release.Service": return "Helm";
            default: break;
        }
        if (term.startsWith(".Values.")) {
            Object node = values;
            for (String key : term.substring(8).split("\\.")) {
                if (!(node instanceof Map<?, ?> map) || !map.containsKey(key)) {
                    throw new AssertionError(term + " is not in values.yaml");
                }
                node = map.get(key);
            }
            return node;
        }
        throw new AssertionError("the test renderer does not support {{ " + term + " }}");
    }

    /** "a (b c) d" -> [a, (b c), d]: splits on spaces outside parentheses and quotes. */
    private static List<String> operands(String text) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        boolean quoted = false;
        StringBuilder cur = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')') {
                depth--;
            }
            if (c == ' ' && depth == 0 && !quoted) {
                if (cur.length() > 0) {
                    out.add(cur.toString());
                    cur.setLength(0);
                }
            } else {
                cur.append(c);
            }
        }
        if (cur.length() > 0) {
            out.add(cur.toString());
        }
        return out;
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
}
