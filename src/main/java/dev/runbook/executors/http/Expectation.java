package dev.runbook.executors.http;

import dev.runbook.spi.BadParameterException;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What counts as a healthy answer: a status (or several, or a class such as {@code 2xx}),
 * optionally a substring of the body and values at JSON paths.
 *
 * @param statuses     "200", "204", "2xx", ...
 * @param bodyContains substring the body must contain, or null
 * @param json         JSON pointer ("/db") or dotted path ("checks.db.status") → expected value
 */
record Expectation(List<String> statuses, String bodyContains, Map<String, Object> json) {

    /** One accepted status: a code or a class; {@code expect.status} and {@code expect-status} take one or a list. */
    static final ParamSpec STATUS_ITEM = ParamSpec.element(ParamType.STRING, "a status code like 200 or a class like 2xx")
            .matching("[1-5][0-9][0-9]|[1-5]xx", "a status code like 200 or a class like 2xx");

    static final ParamSpec PARAM = ParamSpec.optional("expect", ParamType.MAP, null,
            "what a healthy answer looks like").withFields(
            ParamSpec.optional("status", ParamType.LIST, 200, "status code or list of codes (2xx allowed)").ofItems(STATUS_ITEM),
            ParamSpec.optional("body-contains", ParamType.STRING, null, "text the body must contain"),
            ParamSpec.optional("json", ParamType.MAP, null,
                    "JSON pointer or dotted path → expected value, e.g. {status: ok} or {\"/db\": up}")
                    .ofValues(ParamSpec.element(ParamType.ANY, "the value expected at that path (text, number, true/false, null)")));

    private static final Pattern STATUS = Pattern.compile("[1-5]\\d\\d|[1-5]xx");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads {@code expect:}; pure, so describe() can use it. */
    static Expectation from(Params params) {
        Params expect = params.nested("expect");
        return new Expectation(statuses("expect.status", expect.has("status") ? expect.list("status") : List.of(200)),
                expect.string("body-contains"), new LinkedHashMap<>(expect.map("json")));
    }

    /** Only a status rule, e.g. for {@code expect-status} of the request action. */
    static Expectation ofStatus(String param, List<Object> codes) {
        return new Expectation(statuses(param, codes), null, Map.of());
    }

    private static List<String> statuses(String param, List<Object> codes) {
        List<String> statuses = new ArrayList<>();
        for (Object s : codes) {
            String code = String.valueOf(s).trim().toLowerCase(java.util.Locale.ROOT);
            if (!STATUS.matcher(code).matches()) {
                throw new BadParameterException(param + " must be a status code like 200 or a class like 2xx, got '" + s + "'");
            }
            statuses.add(code);
        }
        if (statuses.isEmpty()) {
            throw new BadParameterException(param + " must name at least one status code");
        }
        return List.copyOf(statuses);
    }

    /** "200", "200 or 204", "200 with status=ok containing \"ready\"". */
    String describe() {
        StringBuilder out = new StringBuilder(statusText());
        json.forEach((path, value) -> out.append(out.indexOf(" with ") < 0 ? " with " : ", ")
                .append(path).append('=').append(value));
        if (bodyContains != null) {
            out.append(" containing \"").append(bodyContains).append('"');
        }
        return out.toString();
    }

    String statusText() {
        if (statuses.size() == 1) {
            return statuses.get(0);
        }
        return String.join(", ", statuses.subList(0, statuses.size() - 1)) + " or " + statuses.get(statuses.size() - 1);
    }

    boolean statusMatches(int code) {
        String text = String.valueOf(code);
        return statuses.stream().anyMatch(s -> s.equals(text) || s.endsWith("xx") && s.charAt(0) == text.charAt(0));
    }

    /** Why this answer is not the expected one, or empty when it is. */
    Optional<String> mismatch(int status, String body) {
        if (!statusMatches(status)) {
            return Optional.of("answered " + status + ", expected " + statusText());
        }
        if (bodyContains != null && !body.contains(bodyContains)) {
            return Optional.of("answered " + status + " but the body does not contain \"" + bodyContains + "\"");
        }
        if (json.isEmpty()) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            return Optional.of("answered " + status + " but the body is not JSON");
        }
        for (Map.Entry<String, Object> field : json.entrySet()) {
            JsonNode actual = root == null ? null : root.at(pointer(field.getKey()));
            if (actual == null || actual.isMissingNode()) {
                return Optional.of("answered " + status + " but JSON " + field.getKey() + " is missing");
            }
            if (!matches(field.getValue(), actual)) {
                return Optional.of("answered " + status + " but JSON " + field.getKey() + " is " + actual
                        + ", expected " + field.getValue());
            }
        }
        return Optional.empty();
    }

    /** "/checks/db" stays a JSON pointer; "checks.db" becomes one. */
    static JsonPointer pointer(String path) {
        if (path.startsWith("/")) {
            return JsonPointer.compile(path);
        }
        StringBuilder p = new StringBuilder();
        for (String segment : path.split("\\.", -1)) {
            p.append('/').append(segment.replace("~", "~0").replace("/", "~1"));
        }
        return JsonPointer.compile(p.toString());
    }

    /** YAML gives "ok", 1, true, 1.5, null, lists or maps; compare numbers by value, scalars by text. */
    private static boolean matches(Object expected, JsonNode actual) {
        if (expected == null) {
            return actual.isNull();
        }
        if (expected instanceof String s) {
            return actual.isValueNode() && !actual.isNull() && actual.asText().equals(s);
        }
        return JSON.valueToTree(expected).equals(NUMERIC, actual);
    }

    private static final Comparator<JsonNode> NUMERIC = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };
}
