package dev.runbook.parse;

import dev.runbook.model.InputDef;
import dev.runbook.model.Location;
import dev.runbook.model.Precondition;
import dev.runbook.model.RetryPolicy;
import dev.runbook.model.Runbook;
import dev.runbook.model.SecretDef;
import dev.runbook.model.Step;
import dev.runbook.model.TargetSection;
import dev.runbook.spi.Durations;
import dev.runbook.spi.ParamType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link YamlTree} into the {@link Runbook} model, keeping the location of every field
 * for later messages. The schema reports every field of the wrong shape; this class reads what
 * it can and leaves the rest out (a step without an id, a type that is no type), so the meaning
 * of the parts that do parse is still checked by {@link RunbookValidator}: every problem at once.
 */
final class RunbookReader {

    private final YamlTree tree;
    private final Path file;

    RunbookReader(YamlTree tree, Path file) {
        this.tree = tree;
        this.file = file;
    }

    @SuppressWarnings("unchecked")
    Runbook read() {
        Map<String, Object> root = (Map<String, Object>) tree.root();
        Map<String, InputDef> inputs = new LinkedHashMap<>();
        map(root.get("inputs")).forEach((name, v) -> {
            Map<String, Object> def = map(v);
            inputs.put(name, new InputDef(name, inputType(def.get("type")),
                    Boolean.TRUE.equals(def.get("required")), def.get("default"),
                    text(def.get("description")), tree.locateKey("/inputs/" + name)));
        });
        Map<String, SecretDef> secrets = new LinkedHashMap<>();
        map(root.get("secrets")).forEach((name, v) -> {
            Map<String, Object> def = map(v);
            secrets.put(name, new SecretDef(name, text(def.get("env")), text(def.get("file")),
                    Boolean.TRUE.equals(def.get("optional")), tree.locateKey("/secrets/" + name)));
        });
        List<Precondition> preconditions = new ArrayList<>();
        List<Object> pre = list(root.get("preconditions"));
        for (int i = 0; i < pre.size(); i++) {
            Map<String, Object> p = map(pre.get(i));
            if (!(p.get("check") instanceof String check)) {
                continue; // reported by the schema
            }
            preconditions.add(new Precondition(check, text(p.get("message")),
                    tree.locate("/preconditions/" + i + "/check")));
        }
        return new Runbook(text(root.get("name")), text(root.get("description")), file, inputs, secrets,
                preconditions, duration(root.get("deadline")), duration(root.get("grace")),
                target(root.get("target")),
                steps(root.get("steps"), "steps"), steps(root.get("on-failure"), "on-failure"),
                steps(root.get("finally"), "finally"), stringMap(root.get("outputs")), outputLocations(root.get("outputs")),
                tree.locate(""));
    }

    private TargetSection target(Object raw) {
        Map<String, Object> t = map(raw);
        Map<String, Map<String, Object>> settings = new LinkedHashMap<>();
        t.forEach((k, v) -> {
            if (!k.equals("default")) {
                settings.put(k, map(v));
            }
        });
        return new TargetSection(text(t.get("default")), settings, tree.locate("/target"));
    }

    private List<Step> steps(Object raw, String section) {
        List<Step> out = new ArrayList<>();
        List<Object> items = list(raw);
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> s = map(items.get(i));
            if (s.get("id") instanceof String) {
                out.add(step(s, "/" + section + "/" + i)); // without an id nothing can refer to it: the schema says what is missing
            }
        }
        return out;
    }

    private Step step(Map<String, Object> s, String pointer) {
        Map<String, Location> where = new HashMap<>();
        for (String field : s.keySet()) {
            where.put(field, tree.locateKey(pointer + "/" + field));
        }
        if (s.containsKey("if")) {
            where.put("if", tree.locate(pointer + "/if")); // the expression itself: messages point into it
        }
        Map<String, Object> with = map(s.get("with"));
        nestedLocations(with, "with", pointer + "/with", where);
        Object needsRaw = s.get("needs");
        List<String> needs = new ArrayList<>();
        if (needsRaw instanceof String one) {
            needs.add(one);
        } else {
            list(needsRaw).stream().filter(String.class::isInstance).forEach(n -> needs.add((String) n));
        }
        for (int i = 0; i < needs.size(); i++) {
            where.put("needs." + needs.get(i), tree.locate(pointer + "/needs" + (needsRaw instanceof String ? "" : "/" + i)));
        }
        Object cond = s.get("if");
        return new Step((String) s.get("id"), text(s.get("name")), text(s.get("uses")), with, needs,
                cond instanceof String || cond instanceof Boolean ? String.valueOf(cond) : null,
                retry(map(s.get("retry"))), duration(s.get("timeout")),
                Boolean.TRUE.equals(s.get("continue-on-error")), tree.locate(pointer), where);
    }

    /** Where every key and list element under {@code with:} was written: nested values get messages at their line. */
    private void nestedLocations(Object value, String field, String pointer, Map<String, Location> where) {
        if (value instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                String child = pointer + "/" + String.valueOf(k).replace("~", "~0").replace("/", "~1");
                where.put(field + "." + k, tree.locateKey(child));
                nestedLocations(v, field + "." + k, child, where);
            });
        } else if (value instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                where.put(field + "[" + i + "]", tree.locate(pointer + "/" + i));
                nestedLocations(l.get(i), field + "[" + i + "]", pointer + "/" + i, where);
            }
        }
    }

    private static RetryPolicy retry(Map<String, Object> r) {
        if (r.isEmpty()) {
            return RetryPolicy.NONE;
        }
        int attempts = r.get("attempts") instanceof Number n ? n.intValue() : 3;
        Duration delay = duration(r.getOrDefault("delay", "1s"));
        RetryPolicy.Backoff backoff = "exponential".equals(r.get("backoff"))
                ? RetryPolicy.Backoff.EXPONENTIAL : RetryPolicy.Backoff.FIXED;
        Duration max = r.containsKey("max-delay") ? duration(r.get("max-delay")) : Duration.ZERO;
        return new RetryPolicy(attempts, delay, backoff, max);
    }

    private static Duration duration(Object raw) {
        return raw == null ? null : Durations.parse(String.valueOf(raw)).orElse(null);
    }

    /** A string field, or null when it is missing or of another shape (the schema reports that). */
    private static String text(Object raw) {
        return raw instanceof String s ? s : null;
    }

    private static ParamType inputType(Object raw) {
        if (raw == null) {
            return ParamType.STRING;
        }
        for (ParamType t : ParamType.values()) {
            if (t.yamlName().equals(raw)) {
                return t;
            }
        }
        return ParamType.ANY; // missing means string; anything else was reported by the schema
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object raw) {
        return raw instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object raw) {
        return raw instanceof List<?> l ? (List<Object>) l : List.of();
    }

    private Map<String, Location> outputLocations(Object raw) {
        Map<String, Location> out = new HashMap<>();
        map(raw).keySet().forEach(k -> out.put(k, tree.locate("/outputs/" + k.replace("~", "~0").replace("/", "~1"))));
        return out;
    }

    private static Map<String, String> stringMap(Object raw) {
        Map<String, String> out = new LinkedHashMap<>();
        map(raw).forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }
}
