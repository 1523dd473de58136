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
            return new Deferred(t.isSingleExpression() ? t.expressions().get(0).text() : s, List.copyOf(waitsFor));
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

    /** How a value reads when put into a string. */
    static String text(Object v) {
        if (v instanceof Instant i) {
            return i.toString();
        }
        return String.valueOf(v);
    }
}
