package dev.runbook.packaging;

import dev.runbook.export.CronJobExport;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * charts/backup-jobs rendered by {@link ChartRenderer} (a test-only substitute for
 * {@code helm template}: no helm binary can be installed here) and every object read back
 * with Fabric8.
 */
class BackupJobsChartTest {

    private static final Path REPO = Path.of("").toAbsolutePath();
    private static final Path CHART = REPO.resolve("charts/backup-jobs");

    @SuppressWarnings("unchecked")
    private static Map<String, Object> defaultValues() throws IOException {
        return (Map<String, Object>) new Yaml().load(Files.readString(CHART.resolve("values.yaml")));
    }

    /** Like {@code helm template RELEASE charts/backup-jobs -n NS}: every object, in file-name order. */
    private static List<HasMetadata> render(Map<String, Object> values) throws IOException {
        return render(values, ChartRenderer.Capabilities.CURRENT);
    }

    /** Like {@code helm template} against a cluster with these capabilities. */
    @SuppressWarnings("deprecation") // Serialization.unmarshal: the one call that reads any kind from YAML
    static List<HasMetadata> render(Map<String, Object> values, ChartRenderer.Capabilities capabilities) throws IOException {
        ChartRenderer renderer = new ChartRenderer(CHART, values, "nightly", "shop", capabilities);
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> templates = Files.list(CHART.resolve("templates"))) {
            for (Path t : templates.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                String rendered = renderer.render(Files.readString(t));
                for (String doc : rendered.split("(?m)^---\\s*$")) {
                    if (!doc.isBlank()) {
                        objects.add(Serialization.unmarshal(doc));
                    }
                }
            }
        }
        return objects;
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), "one " + type.getSimpleName() + " in " + objects.stream().map(HasMetadata::getKind).toList());
        return found.get(0);
    }

    @Test
    void chartCopyOfTheBackupRunbookIsInSync() throws IOException {
        assertEquals(Files.readString(REPO.resolve("runbooks/backup.yaml")), Files.readString(CHART.resolve("files/backup.yaml")),
                "charts/backup-jobs/files/backup.yaml must be a copy of runbooks/backup.yaml:"
                        + " cp runbooks/backup.yaml charts/backup-jobs/files/backup.yaml");
    }

    @Test
    void chartYamlAndEveryValueTheTemplatesUseAreDeclared() throws IOException {
        Map<?, ?> chart = new Yaml().load(Files.readString(CHART.resolve("Chart.yaml")));
        assertEquals("v2", chart.get("apiVersion"));
        assertEquals("backup-jobs", chart.get("name"));
        assertTrue(String.valueOf(chart.get("version")).matches("\\d+\\.\\d+\\.\\d+"), "SemVer chart version");
        Map<String, Object> values = defaultValues();
        Pattern ref = Pattern.compile("\\.Values\\.([A-Za-z0-9_.]+)");
        TreeSet<String> missing = new TreeSet<>();
        try (Stream<Path> templates = Files.list(CHART.resolve("templates"))) {
            for (Path t : templates.toList()) {
                Matcher m = ref.matcher(Files.readString(t));
                while (m.find()) {
                    Object node = values;
                    for (String key : m.group(1).split("\\.")) {
                        node = node instanceof Map<?, ?> map && map.containsKey(key) ? map.get(key) : missing.add(t.getFileName() + ": " + m.group(0));
                    }
                }
            }
        }
        assertEquals(new TreeSet<>(), missing, "values used by templates but not declared in values.yaml");
    }

    @Test
    void defaultValuesRenderTheNightlyBackupCronJob() throws IOException {
        List<HasMetadata> objects = render(defaultValues());
        assertEquals(List.of("ConfigMap", "CronJob", "ServiceAccount"), objects.stream().map(HasMetadata::getKind).sorted().toList(),
                "no Role or RoleBinding unless rbac.create");
        objects.forEach(o -> assertEquals("shop", o.getMetadata().getNamespace(), o.getKind()));

        ServiceAccount sa = only(objects, ServiceAccount.class);
        assertEquals(Boolean.FALSE, sa.getAutomountServiceAccountToken());

        ConfigMap cm = only(objects, ConfigMap.class);
        assertEquals(Files.readString(REPO.resolve("runbooks/backup.yaml")), cm.getData().get("runbook.yaml"),
                "the ConfigMap carries runbooks/backup.yaml unchanged (its ${{ }} expressions are not templated)");

        CronJob cj = only(objects, CronJob.class);
        assertEquals("nightly", cj.getMetadata().getName());
        assertEquals("0 2 * * *", cj.getSpec().getSchedule());
        assertNull(cj.getSpec().getTimeZone());
        assertEquals("Forbid", cj.getSpec().getConcurrencyPolicy());
        assertEquals(3, cj.getSpec().getSuccessfulJobsHistoryLimit());
        assertEquals(3, cj.getSpec().getFailedJobsHistoryLimit());
        assertEquals(21600L, cj.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds());

        PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertEquals("nightly", pod.getServiceAccountName());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertEquals("Never", pod.getRestartPolicy());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(CronJobExport.RUN_AS, pod.getSecurityContext().getRunAsUser(), "the Dockerfile's uid");
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());

        Container c = pod.getContainers().get(0);
        assertEquals("runbook:dev", c.getImage());
        assertEquals(List.of("runbook"), c.getCommand());
        assertEquals(List.of("run", "/runbooks/runbook.yaml", "--yes"), c.getArgs());
        assertEquals("backup-credentials", c.getEnvFrom().get(0).getSecretRef().getName());
        assertEquals(new Quantity("256Mi"), c.getResources().getRequests().get("memory"));
        assertEquals(new Quantity("100m"), c.getResources().getRequests().get("cpu"));
        assertEquals(new Quantity("512Mi"), c.getResources().getLimits().get("memory"));
        assertEquals(new Quantity("1"), c.getResources().getLimits().get("cpu"));
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals(CronJobExport.STATE_DIR, c.getEnv().stream().filter(e -> e.getName().equals("RUNBOOK_STATE_DIR"))
                .findFirst().orElseThrow().getValue());
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals(CronJobExport.STATE_DIR)));
        assertEquals(List.of("runbook", "state", "tmp"), pod.getVolumes().stream().map(v -> v.getName()).toList());
        assertEquals(cm.getMetadata().getName(), pod.getVolumes().get(0).getConfigMap().getName());
        assertEquals(292, pod.getVolumes().get(0).getConfigMap().getDefaultMode(), "0444");
        assertTrue(pod.getVolumes().get(1).getEmptyDir() != null && pod.getVolumes().get(2).getEmptyDir() != null);
        assertTrue(pod.getNodeSelector() == null || pod.getNodeSelector().isEmpty(), "no nodeSelector by default");
        assertTrue(pod.getTolerations() == null || pod.getTolerations().isEmpty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void valuesOverrideScheduleSecretRunbookEnvAndAddRbacOnlyWhenAsked() throws IOException {
        Map<String, Object> values = defaultValues();
        values.put("schedule", "30 3 * * 0");
        values.put("timeZone", "Europe/Berlin");
        values.put("existingSecret", "pg-s3");
        ((Map<String, Object>) values.get("image")).put("tag", "0.1.0");
        ((Map<String, Object>) values.get("runbook")).put("source", Files.readString(REPO.resolve("runbooks/restore-drill.yaml")));
        values.put("extraEnv", List.of(Map.of("name", "RUNBOOK_INPUT_COMPRESSION", "value", "zstd")));
        values.put("nodeSelector", Map.of("pool", "batch"));
        Map<String, Object> rbac = (Map<String, Object>) values.get("rbac");
        rbac.put("create", true);
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("apiGroups", List.of("apps"));
        rule.put("resources", List.of("deployments/scale"));
        rule.put("verbs", List.of("get", "patch"));
        rbac.put("rules", List.of(rule));

        List<HasMetadata> objects = render(values);
        CronJob cj = only(objects, CronJob.class);
        assertEquals("30 3 * * 0", cj.getSpec().getSchedule());
        assertEquals("Europe/Berlin", cj.getSpec().getTimeZone());
        PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().get(0);
        assertEquals("runbook:0.1.0", c.getImage());
        assertEquals("pg-s3", c.getEnvFrom().get(0).getSecretRef().getName());
        assertEquals(List.of("RUNBOOK_STATE_DIR", "RUNBOOK_INPUT_COMPRESSION"), c.getEnv().stream().map(e -> e.getName()).toList());
        assertEquals(Map.of("pool", "batch"), pod.getNodeSelector());
        assertEquals(Boolean.TRUE, pod.getAutomountServiceAccountToken(), "a runbook that calls the API gets a token");
        assertEquals(Files.readString(REPO.resolve("runbooks/restore-drill.yaml")), only(objects, ConfigMap.class).getData().get("runbook.yaml"));

        Role role = only(objects, Role.class);
        assertEquals(List.of("deployments/scale"), role.getRules().get(0).getResources());
        assertEquals(List.of("get", "patch"), role.getRules().get(0).getVerbs());
        RoleBinding binding = only(objects, RoleBinding.class);
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        assertEquals("ServiceAccount", binding.getSubjects().get(0).getKind());
        assertEquals(only(objects, ServiceAccount.class).getMetadata().getName(), binding.getSubjects().get(0).getName());
        assertEquals("shop", binding.getSubjects().get(0).getNamespace());
        assertFalse(only(objects, ServiceAccount.class).getAutomountServiceAccountToken(), "the SA itself still does not mount by default");
    }

    @Test
    void onKubernetes120TheCronJobIsBatchV1beta1AndATimeZoneIsRefused() throws IOException {
        List<HasMetadata> old = render(defaultValues(), ChartRenderer.Capabilities.K8S_1_20);
        HasMetadata cronJob = old.stream().filter(o -> "CronJob".equals(o.getKind())).findFirst().orElseThrow();
        assertEquals("batch/v1beta1", cronJob.getApiVersion());
        assertEquals("batch/v1", only(render(defaultValues()), CronJob.class).getApiVersion());

        Map<String, Object> zoned = defaultValues();
        zoned.put("timeZone", "Europe/Berlin");
        ChartRenderer.ChartFailure refused = org.junit.jupiter.api.Assertions.assertThrows(ChartRenderer.ChartFailure.class,
                () -> render(zoned, ChartRenderer.Capabilities.K8S_1_20));
        assertTrue(refused.getMessage().contains("timeZone needs Kubernetes 1.25+"), refused.getMessage());
        ChartRenderer.Capabilities k124 = new ChartRenderer.Capabilities(1, 24, java.util.Set.of("batch/v1/CronJob"));
        org.junit.jupiter.api.Assertions.assertThrows(ChartRenderer.ChartFailure.class, () -> render(zoned, k124));
        assertEquals("Europe/Berlin", only(render(zoned), CronJob.class).getSpec().getTimeZone());
    }
}
