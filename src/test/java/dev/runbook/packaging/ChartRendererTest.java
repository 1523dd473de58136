package dev.runbook.packaging;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The test-only chart renderer follows Go template semantics where the chart relies on them, and refuses the rest. */
class ChartRendererTest {

    private static String render(String template, Map<String, Object> values, ChartRenderer.Capabilities caps) {
        return new ChartRenderer(Path.of("charts/backup-jobs").toAbsolutePath(), values, "rel", "ns", caps).render(template);
    }

    private static String render(String template, Map<String, Object> values) {
        return render(template, values, ChartRenderer.Capabilities.CURRENT);
    }

    @Test
    void rangeOverAMapGoesInKeyOrderAndVariablesEndWithTheirBlock() {
        String out = render("{{- range $k, $v := dict \"b\" 2 \"a\" 1 }}{{ $x := $v }}{{ $k }}={{ $x }};{{- end }}", Map.of());
        assertEquals("a=1;b=2;", out, "Go ranges over a map in key order");
        AssertionError scoped = assertThrows(AssertionError.class,
                () -> render("{{ range $v := .Values.l }}{{ $x := $v }}{{ end }}{{ $x }}", Map.of("l", List.of(1))));
        assertTrue(scoped.getMessage().contains("undefined variable $x"), scoped.getMessage());
    }

    @Test
    void whitespaceTrimmingPipesAndCapabilitiesAsHelmDoes() {
        String t = "a:\n{{- if $.Capabilities.APIVersions.Has \"batch/v1/CronJob\" }}\n  v: {{ .Values.s | quote }}\n{{- else }}\n  v: old\n{{- end }}\nb: {{- .Values.l | toYaml | nindent 2 }}\n";
        Map<String, Object> values = Map.of("s", "x \"y\"", "l", List.of("p", "q"));
        assertEquals("a:\n  v: \"x \\\"y\\\"\"\nb:\n  - p\n  - q\n", render(t, values));
        assertEquals("a:\n  v: old\nb:\n  - p\n  - q\n", render(t, values, ChartRenderer.Capabilities.K8S_1_20));
        assertEquals("files/x.yaml", render("{{ printf \"files/%s\" (index .Values \"f\") }}", Map.of("f", "x.yaml")));
        assertEquals("KEEP_LAST", render("{{ upper \"keep_last\" }}", Map.of()));
    }

    @Test
    void unknownFormsMissingValuesAndFailAreNotRenderedSilently() {
        AssertionError missing = assertThrows(AssertionError.class, () -> render("{{ .Values.nope }}", Map.of()));
        assertTrue(missing.getMessage().contains(".Values.nope is not defined"), missing.getMessage());
        AssertionError unknown = assertThrows(AssertionError.class, () -> render("{{ lower \"X\" }}", Map.of()));
        assertTrue(unknown.getMessage().contains("does not support the function 'lower'"), unknown.getMessage());
        assertThrows(AssertionError.class, () -> render("{{ with .Values }}x{{ end }}", Map.of()));
        assertThrows(AssertionError.class, () -> render("{{ .Values.m }}", Map.of("m", Map.of("a", 1))), "a map needs toYaml");
        ChartRenderer.ChartFailure failed = assertThrows(ChartRenderer.ChartFailure.class,
                () -> render("{{ if .Values.t }}{{ fail \"no\" }}{{ end }}", Map.of("t", true)));
        assertEquals("no", failed.getMessage());
        assertEquals("", render("{{ if .Values.t }}{{ fail \"no\" }}{{ end }}", Map.of("t", false)), "an untaken branch is not evaluated");
    }
}
