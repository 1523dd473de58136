package dev.runbook.expr;

import dev.runbook.spi.Deferred;
import dev.runbook.spi.Secret;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves raw runbook values ({@code with:} trees, {@code if:} conditions) against a
 * {@link Scope}: evaluates every {@code ${{ }}}, keeps typed results of whole-string
 * expressions, wraps anything derived from a secret in {@link Secret}, and leaves values that
 * need steps that have not run as {@link Deferred} (while planning).
 */
public final class Evaluator {

    private final Expressions expressions;

    public Evaluator(Expressions expressions) {
        this.expressions = expressions;
    }

    public Expressions expressions() {
        return expressions;
    }

    public Object resolve(Object raw, Scope scope) throws ExpressionException {
        if (raw instanceof String s) {
            return resolveString(s, scope);
        }
        if (raw instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.put(String.valueOf(e.getKey()), resolve(e.getValue(), scope));
            }
            return out;
        }
        if (raw instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Object o : l) {
                out.add(resolve(o, scope));
            }
            return out;
        }
        return raw;
    }

    /**
     * Evaluates an {@code if:} or precondition. Accepts {@code ${{ x }}} or a bare expression.
     *
     * @return TRUE/FALSE, or null when it cannot be decided yet (planning)
     */
    public Boolean condition(String text, Scope scope) throws ExpressionException {
        String expr = text.trim();
        if (expr.startsWith(Template.OPEN) && expr.endsWith(Template.CLOSE)) {
            expr = expr.substring(3, expr.length() - 2).trim();
        }
        Expressions.Compiled c = expressions.compile(expr);
        if (!c.references().stream().allMatch(scope::known)) {
            return null;
        }
        Object v = expressions.evaluate(c, scope, scope.status());
        if (!(v instanceof Boolean b)) {
            throw new ExpressionException("`" + expr + "` must be true or false, but gave " + (c.secret() ? Secret.MASK : v));
        }
        return b;
    }

    private Object resolveString(String s, Scope scope) throws ExpressionException {
        if (!Template.containsExpression(s)) {
            return s;
        }
        Template t;
        try {
            t = Template.parse(s);
        } catch (IllegalArgumentException e) {
            throw new ExpressionException(e.getMessage());
        }
        boolean secret = false;
        boolean deferred = false;
        java.util.Set<String> waitsFor = new java.util.LinkedHashSet<>(); // for the plan line
        for (Template.Expr e : t.expressions()) {
            Expressions.Compiled c = expressions.compile(e.text());
            if (!c.references().stream().allMatch(scope::known)) {
                deferred = true;
                waitsFor.addAll(c.steps());
            }
            secret |= c.secret();
        }
        if (deferred) {
            Deferred whole = new Deferred(t.isSingleExpression() ? t.expressions().get(0).text() : s, List.copyOf(waitsFor));
            // a secret's neighbours stay unevaluated: nothing derived from it reaches a plan line
            return secret ? whole.within(scope.within()) : partially(t, whole, scope);
        }
        if (t.isSingleExpression()) {
            Object v = expressions.evaluate(expressions.compile(t.expressions().get(0).text()), scope, scope.status());
            return secret ? new Secret(text(v)) : v;
        }
        StringBuilder out = new StringBuilder();
        for (Object part : t.parts()) {
            if (part instanceof Template.Expr e) {
                out.append(text(expressions.evaluate(expressions.compile(e.text()), scope, scope.status())));
            } else {
                out.append(part);
            }
        }
        return secret ? new Secret(out.toString()) : out.toString();
    }

    /**
     * A template that reads values known only at run time, evaluated as far as the values known
     * now allow ({@link Expressions#partial}): the value when that is all it needs, else a
     * {@link Deferred} that keeps the known text and names each unknown part in the terms of the
     * runbook it belongs to. Unchanged ({@code whole}) when nothing could be evaluated.
     */
    private Object partially(Template t, Deferred whole, Scope scope) throws ExpressionException {
        List<Object> parts = new ArrayList<>(); // literal text, or an unknown part: Deferred
        StringBuilder expression = new StringBuilder(); // the same, as a template in this runbook's terms
        boolean changed = false;
        for (Object part : t.parts()) {
            if (!(part instanceof Template.Expr e)) {
                parts.add(part);
                expression.append(part);
                continue;
            }
            Expressions.Compiled c = expressions.compile(e.text());
            Expressions.Partial p = expressions.partial(c, scope);
            if (p instanceof Expressions.Known k) {
                if (t.isSingleExpression()) {
                    return k.value();
                }
                parts.add(text(k.value()));
                expression.append(text(k.value()));
                changed = true;
                continue;
            }
            List<Object> pieces = ((Expressions.Pieces) p).parts();
            changed |= pieces.size() != 1 || pieces.get(0) != c;
            for (Object piece : pieces) {
                if (piece instanceof Expressions.Compiled unknown) {
                    Deferred d = unknown(unknown, scope);
                    changed |= d.shown() != null || !d.expression().equals(expressions.asWritten(unknown.text()));
                    parts.add(d);
                    expression.append(Template.OPEN).append(' ').append(expressions.asWritten(unknown.text()))
                            .append(' ').append(Template.CLOSE);
                } else {
                    parts.add(piece);
                    expression.append(piece);
                }
            }
        }
        if (!changed) {
            return whole;
        }
        if (parts.size() == 1 && parts.get(0) instanceof Deferred only) {
            return only;
        }
        if (parts.stream().noneMatch(Deferred.class::isInstance)) {
            return String.join("", parts.stream().map(String::valueOf).toList());
        }
        StringBuilder shown = new StringBuilder();
        java.util.Set<String> steps = new java.util.LinkedHashSet<>();
        for (Object part : parts) {
            shown.append(part);
            if (part instanceof Deferred d) {
                steps.addAll(d.steps());
            }
        }
        return new Deferred(expression.toString(), List.copyOf(steps), shown.toString());
    }

    /** A run-time reference: an own step output or a caller's run-time value. */
    private static final java.util.regex.Pattern READS = java.util.regex.Pattern.compile(
            "\\b(inputs\\.[A-Za-z0-9_]+|steps\\.[A-Za-z0-9_-]+\\.outputs\\.[A-Za-z0-9_-]+)");

    /** Past this length an unknown part is shown as what it reads, not as written. */
    private static final int READABLE = 60;

    /**
     * One part known only at run time: an input the caller knows only at run time is the
     * caller's value; anything else is shown as written, qualified with the calling step when
     * this is a called runbook, or, when long, as the values it reads.
     */
    private Deferred unknown(Expressions.Compiled c, Scope scope) {
        String written = expressions.asWritten(c.text());
        List<String> steps = List.copyOf(c.steps());
        if (written.matches("inputs\\.[A-Za-z0-9_]+") && scope.inputs().get(written.substring(7)) instanceof Deferred callers) {
            return callers;
        }
        if (written.length() <= READABLE) {
            return new Deferred(written, steps).within(scope.within());
        }
        String qualifier = scope.within() == null ? "" : scope.within() + " → ";
        java.util.Set<String> reads = new java.util.LinkedHashSet<>();
        java.util.regex.Matcher m = READS.matcher(written);
        boolean callers = false;
        while (m.find()) {
            String ref = m.group(1);
            if (ref.startsWith("steps.")) {
                reads.add(qualifier + ref);
            } else if (scope.inputs().get(ref.substring(7)) instanceof Deferred d) {
                reads.add(d.source());
                callers = true;
            }
        }
        if (!callers) {
            return new Deferred(written, steps).within(scope.within());
        }
        return new Deferred(written, steps, Deferred.shown(String.join(", ", reads)));
    }

    /** How a value reads when put into a string. */
    static String text(Object v) {
        if (v instanceof Instant i) {
            return i.toString();
        }
        return String.valueOf(v);
    }
}
