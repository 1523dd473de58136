package dev.runbook.expr;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelBuilder;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.CelValidationResult;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.ast.CelReference;
import dev.cel.common.navigation.CelNavigableExpr;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelLateFunctionBindings;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelVariableResolver;
import dev.cel.common.ast.CelExpr.ExprKind;
import dev.runbook.model.DidYouMean;
import dev.runbook.spi.ParamType;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The expression language of runbooks: Google's CEL (typed, side-effect free, known to
 * Kubernetes users), over {@code inputs}, {@code secrets}, {@code env}, {@code run} and
 * {@code steps.<id>.outputs}. Expressions are type-checked when the runbook is validated,
 * so a typo fails before anything runs.
 *
 * <p>Extra functions: {@code success()}, {@code failure()}, {@code always()},
 * {@code cancelled()} for {@code if:}; {@code formatTime(timestamp, pattern)} (UTC, Java
 * pattern) and {@code backupTimestamp(timestamp)} ({@code 20261125T020000Z}).
 */
public final class Expressions {

    private static final Set<String> ROOTS = Set.of("inputs", "secrets", "env", "run", "steps");

    private final Declarations declarations;
    private final Cel cel;
    private final Map<String, Compiled> cache = new java.util.concurrent.ConcurrentHashMap<>(); // steps resolve in parallel

    public Expressions(Declarations declarations) {
        this.declarations = declarations;
        CelBuilder b = CelFactory.standardCelBuilder()
                .setOptions(CelOptions.current().evaluateCanonicalTypesToNativeValues(true).build())
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .addVar("env", MapType.create(SimpleType.STRING, SimpleType.STRING))
                .addVar("run.id", SimpleType.STRING)
                .addVar("run.started", SimpleType.TIMESTAMP)
                .addVar("run.target", SimpleType.STRING)
                .addFunctionDeclarations(
                        status("success"), status("failure"), status("always"), status("cancelled"),
                        CelFunctionDecl.newFunctionDeclaration("formatTime", CelOverloadDecl.newGlobalOverload(
                                "formatTime_timestamp_string", SimpleType.STRING, SimpleType.TIMESTAMP, SimpleType.STRING)),
                        CelFunctionDecl.newFunctionDeclaration("backupTimestamp", CelOverloadDecl.newGlobalOverload(
                                "backupTimestamp_timestamp", SimpleType.STRING, SimpleType.TIMESTAMP)))
                .addFunctionBindings(
                        CelFunctionBinding.from("formatTime_timestamp_string", Instant.class, String.class,
                                (ts, pattern) -> DateTimeFormatter.ofPattern(pattern, Locale.ROOT).withZone(ZoneOffset.UTC).format(ts)),
                        CelFunctionBinding.from("backupTimestamp_timestamp", Instant.class,
                                ts -> DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC).format(ts)));
        declarations.inputs.forEach((name, type) -> b.addVar("inputs." + name, celType(type)));
        declarations.secrets.forEach(name -> b.addVar("secrets." + name, SimpleType.STRING));
        // One map for all steps, not a declaration per output: CEL rebuilds its checker
        // environment for every check, so thousands of declarations made validation quadratic.
        // Step ids and output names are checked by explainUnknownReferences instead.
        b.addVar("steps", MapType.create(SimpleType.STRING, SimpleType.DYN));
        this.cel = b.build();
    }

    private static CelFunctionDecl status(String name) {
        return CelFunctionDecl.newFunctionDeclaration(name, CelOverloadDecl.newGlobalOverload(name + "_status", SimpleType.BOOL));
    }

    static CelType celType(ParamType type) {
        return switch (type) {
            case STRING -> SimpleType.STRING;
            case INT -> SimpleType.INT;
            case BOOL -> SimpleType.BOOL;
            case NUMBER -> SimpleType.DOUBLE;
            case DURATION -> SimpleType.DURATION;
            case LIST -> ListType.create(SimpleType.DYN);
            case MAP -> MapType.create(SimpleType.STRING, SimpleType.DYN);
            case ANY -> SimpleType.DYN;
        };
    }

    /**
     * A compiled, type-checked expression.
     *
     * @param references the dotted names it reads ({@code inputs.bucket}, {@code steps.find}, {@code env})
     * @param secret     whether its value derives from a secret (then it is masked everywhere)
     * @param steps      the step ids it reads outputs or status of
     */
    public static final class Compiled {
        private final String text;
        final CelAbstractSyntaxTree ast;
        private final Set<String> references;
        private final boolean secret;
        private final Set<String> steps;
        private CelRuntime.Program program; // made on first use: validation alone never needs it

        Compiled(String text, CelAbstractSyntaxTree ast, Set<String> references, boolean secret, Set<String> steps) {
            this.text = text;
            this.ast = ast;
            this.references = references;
            this.secret = secret;
            this.steps = steps;
        }

        public String text() {
            return text;
        }

        public Set<String> references() {
            return references;
        }

        public boolean secret() {
            return secret;
        }

        public Set<String> steps() {
            return steps;
        }

        public CelType resultType() {
            return ast.getResultType();
        }

        /** The type of its value in words: text, a whole number, a time, ... */
        public String resultWords() {
            return CelErrors.typeWords(resultType().name());
        }

        public boolean isBoolean() {
            return resultType().equals(SimpleType.BOOL) || resultType().equals(SimpleType.DYN);
        }

        synchronized CelRuntime.Program program(Cel cel) throws CelEvaluationException {
            if (program == null) {
                program = cel.createProgram(ast);
            }
            return program;
        }
    }

    /** Compiles and type-checks; the message names the unknown input, step or output where it can. */
    public Compiled compile(String text) throws ExpressionException {
        Compiled cached = cache.get(text);
        if (cached != null) {
            return cached;
        }
        CelValidationResult parsed = cel.parse(CelNames.normalize(text));
        if (parsed.hasError()) {
            throw new ExpressionException(CelErrors.syntax(text, parsed.getErrorString()));
        }
        try {
            List<List<String>> chains = explainUnknownReferences(parsed.getAst(), text);
            CelAbstractSyntaxTree ast = cel.check(parsed.getAst()).getAst();
            Set<String> refs = new LinkedHashSet<>();
            for (CelReference r : ast.getReferenceMap().values()) {
                if (!r.name().isEmpty() && !r.name().equals("steps")) {
                    refs.add(r.name());
                }
            }
            Set<String> steps = new LinkedHashSet<>();
            boolean secret = false;
            for (List<String> chain : chains) {
                if (chain.get(0).equals("steps") && chain.size() >= 2) {
                    steps.add(declarations.stepId(chain.get(1)));
                    refs.add("steps." + chain.get(1));
                    secret |= chain.size() >= 4 && declarations.secretNames.contains(String.join(".", chain.subList(0, 4)));
                }
            }
            for (String r : refs) {
                secret |= declarations.secretNames.contains(r) || r.startsWith("secrets.");
            }
            Compiled c = new Compiled(text, ast, Set.copyOf(refs), secret, Set.copyOf(steps));
            cache.put(text, c);
            return c;
        } catch (CelValidationException e) { // compiling throws nothing else
            throw new ExpressionException(CelErrors.check(text, e.getMessage()));
        }
    }

    /**
     * Evaluates with the given values.
     *
     * @param status the run's state for success()/failure()/cancelled()
     */
    public Object evaluate(Compiled c, CelVariableResolver values, RunStatus status) throws ExpressionException {
        try {
            return c.program(cel).eval(values, CelLateFunctionBindings.from(
                    CelFunctionBinding.from("success_status", List.of(), a -> !status.failed() && !status.cancelled()),
                    CelFunctionBinding.from("failure_status", List.of(), a -> status.failed()),
                    CelFunctionBinding.from("always_status", List.of(), a -> true),
                    CelFunctionBinding.from("cancelled_status", List.of(), a -> status.cancelled())));
        } catch (CelEvaluationException e) {
            throw new ExpressionException("`" + c.text() + "` failed: " + firstLine(e.getMessage()));
        }
    }

    /**
     * An expression evaluated as far as the values known now allow (planning: outputs of steps
     * that have not run, secrets, inputs a caller knows only at run time are unknown).
     * {@link Known}: its value. {@link Pieces}: what is left, in order: text known now (String)
     * and the sub-expressions that wait for unknown values ({@link Compiled}); joined as text
     * they are the value.
     */
    public sealed interface Partial permits Known, Pieces {
    }

    public record Known(Object value) implements Partial {
    }

    public record Pieces(List<Object> parts) implements Partial {
        public Pieces {
            parts = List.copyOf(parts);
        }
    }

    private static final dev.cel.parser.CelUnparser UNPARSER = dev.cel.parser.CelUnparserFactory.newUnparser();

    /**
     * Evaluates what can be evaluated with the values {@code scope} knows: a conditional whose
     * condition is known takes its branch; text joined with {@code +} keeps its known parts;
     * anything else that reads an unknown value is left whole.
     */
    public Partial partial(Compiled c, Scope scope) {
        return partial(c, c.ast.getExpr(), c.ast, scope, false);
    }

    private Partial partial(Compiled whole, CelExpr e, CelAbstractSyntaxTree ast, Scope scope, boolean asText) {
        Compiled c = whole;
        if (e != ast.getExpr()) {
            try {
                c = compile(UNPARSER.unparse(CelAbstractSyntaxTree.newParsedAst(e, ast.getSource())));
            } catch (ExpressionException | RuntimeException ex) {
                return new Pieces(List.of(whole)); // cannot take it apart: it stays as written
            }
        }
        if (c.references().stream().allMatch(scope::known)) {
            try {
                return new Known(evaluate(c, scope, scope.status()));
            } catch (ExpressionException ex) {
                return new Pieces(List.of(c)); // decided at run time, where the error is reported
            }
        }
        if (e.getKind() == ExprKind.Kind.CALL) {
            CelExpr.CelCall call = e.call();
            List<CelExpr> args = call.args();
            if (call.function().equals("_?_:_") && args.size() == 3) {
                Partial condition = partial(whole, args.get(0), ast, scope, false);
                if (condition instanceof Known k && k.value() instanceof Boolean b) {
                    return partial(whole, args.get(b ? 1 : 2), ast, scope, asText);
                }
            } else if (call.function().equals("_+_") && args.size() == 2
                    && ast.getType(e.id()).map(t -> t.equals(SimpleType.STRING)).orElse(false)) {
                List<Object> parts = new ArrayList<>();
                for (CelExpr arg : args) {
                    Partial p = partial(whole, arg, ast, scope, true);
                    if (p instanceof Known k) {
                        parts.add(Evaluator.text(k.value()));
                    } else {
                        parts.addAll(((Pieces) p).parts());
                    }
                }
                return new Pieces(parts);
            } else if (asText && call.function().equals("string") && call.target().isEmpty() && args.size() == 1) {
                return partial(whole, args.get(0), ast, scope, true); // in text, string(x) reads as x
            }
        }
        return new Pieces(List.of(c));
    }

    /**
     * Whether anything failed or was cancelled so far, for the status functions; {@code why} is the
     * first failure in words (e.g. "step 'dump' failed"), so steps that do not start can say why.
     */
    public record RunStatus(boolean failed, boolean cancelled, String why) {
        public static final RunStatus OK = new RunStatus(false, false, null);

        /** This status, failed: keeps the first failure's words, else takes {@code why}. */
        public RunStatus failedBecause(String why, boolean cancelled) {
            return new RunStatus(true, cancelled, this.why != null ? this.why : why);
        }
    }

    /** Turns CEL's "undeclared reference to 'inputs'" into "unknown input 'bukcet' (did you mean `bucket`?)". */
    private List<List<String>> explainUnknownReferences(CelAbstractSyntaxTree parsed, String text) throws ExpressionException {
        List<String> problems = new ArrayList<>();
        List<List<String>> chains = new ArrayList<>();
        CelNavigableExpr.fromExpr(parsed.getExpr()).allNodes().forEach(node -> {
            CelExpr e = node.expr();
            boolean chainTop = node.parent().map(p -> p.getKind() != ExprKind.Kind.SELECT).orElse(true);
            if (!chainTop || (e.getKind() != ExprKind.Kind.SELECT && e.getKind() != ExprKind.Kind.IDENT)) {
                return;
            }
            List<String> chain = chain(e);
            if (chain.isEmpty()) {
                return;
            }
            chains.add(chain);
            String problem = checkChain(chain, text);
            if (problem != null) {
                problems.add(problem);
            }
        });
        if (!problems.isEmpty()) {
            throw new ExpressionException(String.join("; ", new LinkedHashSet<>(problems)));
        }
        return chains;
    }

    private static List<String> chain(CelExpr e) {
        List<String> out = new ArrayList<>();
        CelExpr cur = e;
        while (cur.getKind() == ExprKind.Kind.SELECT) {
            out.add(0, cur.select().field());
            cur = cur.select().operand();
        }
        if (cur.getKind() != ExprKind.Kind.IDENT) {
            return List.of();
        }
        out.add(0, cur.ident().name());
        return out;
    }

    private String checkChain(List<String> chain, String text) {
        String root = chain.get(0);
        if (!ROOTS.contains(root)) {
            return null; // a comprehension variable or CEL's own; the checker judges it
        }
        switch (root) {
            case "inputs" -> {
                if (chain.size() < 2) {
                    return "use `inputs.<name>`";
                }
                if (!declarations.inputs.containsKey(chain.get(1))) {
                    return unknown("input", chain.get(1), declarations.inputs.keySet());
                }
            }
            case "secrets" -> {
                if (chain.size() < 2) {
                    return "use `secrets.<name>`";
                }
                if (!declarations.secrets.contains(chain.get(1))) {
                    return unknown("secret", chain.get(1), declarations.secrets);
                }
            }
            case "run" -> {
                if (chain.size() < 2 || !Set.of("id", "started", "target").contains(chain.get(1))) {
                    return "`run` has `run.id`, `run.started` and `run.target`";
                }
            }
            case "steps" -> {
                if (chain.size() < 3) {
                    return "use `steps.<id>.outputs.<name>` or `steps.<id>.status`";
                }
                String id = chain.get(1);
                if (!declarations.stepOutputs.containsKey(id)) {
                    return unknown("step", asWritten(text, id), new java.util.LinkedHashSet<>(declarations.stepIds()));
                }
                String what = chain.get(2);
                if (what.equals("status")) {
                    return null;
                }
                if (!what.equals("outputs")) {
                    return "use `steps." + id + ".outputs.<name>` or `steps." + id + ".status`";
                }
                Set<String> outputs = declarations.stepOutputs.get(id);
                if (outputs != null && chain.size() >= 4 && !outputs.contains(chain.get(3))) {
                    List<String> declared = outputs.stream().map(o -> declarations.outputName(id, o)).toList();
                    String hint = DidYouMean.hint(chain.get(3), declared);
                    return "step '" + declarations.stepId(id) + "' has no output '" + chain.get(3) + "'"
                            + (outputs.isEmpty() ? " (it has no outputs)" : " (its outputs: " + String.join(", ", declared) + ")")
                            + (hint == null ? "" : "; " + hint);
                }
            }
            default -> {
                return null;
            }
        }
        return null;
    }

    private static final java.util.regex.Pattern CEL_STEP_REF = java.util.regex.Pattern.compile(
            "\\bsteps\\.([A-Za-z0-9_]+)(\\.outputs\\.([A-Za-z0-9_]+))?");

    /** An expression's text as the runbook writes it: {@code steps.find_backup.outputs.age_seconds} → {@code steps.find-backup.outputs.age-seconds}. */
    public String asWritten(String celText) {
        return CEL_STEP_REF.matcher(celText).replaceAll(m -> java.util.regex.Matcher.quoteReplacement(
                "steps." + declarations.stepId(m.group(1))
                        + (m.group(2) == null ? "" : ".outputs." + declarations.outputName(m.group(1), m.group(3)))));
    }

    /** A name as the user wrote it (CEL sees find_backup where the runbook says find-backup). */
    private static String asWritten(String text, String celName) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("[A-Za-z0-9_-]+").matcher(text);
        while (m.find()) {
            if (CelNames.name(m.group()).equals(celName)) {
                return m.group();
            }
        }
        return celName;
    }

    private static String unknown(String what, String name, Set<String> known) {
        String hint = DidYouMean.hint(name, known);
        return "unknown " + what + " '" + name + "'"
                + (hint != null ? " (" + hint + ")" : known.isEmpty() ? " (none are declared)" : " (declared: " + String.join(", ", known) + ")");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        String line = s.split("\n")[0];
        return line.replace("ERROR: <input>:", "at ").replace(" (in container '')", "");
    }

    /** Converts a runbook value to what CEL expects for a typed input. */
    public static Object toCel(Object v) {
        if (v instanceof Integer i) {
            return i.longValue();
        }
        if (v instanceof Duration || v instanceof Instant) {
            return v;
        }
        return v;
    }

    static Optional<Object> none() {
        return Optional.empty();
    }
}
