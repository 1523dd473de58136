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
import java.util.Set;
import java.util.stream.Collectors;
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
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : new ChartRenderer(CHART, values, "nightly", "shop", capabilities).renderChart()) {
            objects.add(Serialization.unmarshal(doc));
        }
        return objects;
    }

    private static <T> T only(List<HasMetadata> objects, Class<T> type) {
        List<T> found = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertEquals(1, found.size(), "one " + type.getSimpleName() + " in " + objects.stream().map(HasMetadata::getKind).toList());
        return found.get(0);
    }

    /** The job each CronJob runs: values key -> the runbook in runbooks/ (and the chart's files/). */
    static final Map<String, String> JOBS = Map.of("backup", "backup.yaml", "prune", "prune.yaml", "drill", "restore-drill.yaml");

    @Test
    void chartCopiesOfTheRunbooksAreInSync() throws IOException {
        for (String file : JOBS.values()) {
            assertEquals(Files.readString(REPO.resolve("runbooks/" + file)), Files.readString(CHART.resolve("files/" + file)),
                    "charts/backup-jobs/files/" + file + " must be a copy of runbooks/" + file + ":"
                            + " cp runbooks/" + file + " charts/backup-jobs/files/" + file);
        }
    }

    /** Each job's inputs and approvals name real inputs and steps of its runbook, so no value is silently ignored. */
    @Test
    @SuppressWarnings("unchecked")
    void everyJobsInputsAndApprovalsExistInItsRunbook() throws IOException {
        Map<String, Object> values = defaultValues();
        for (Map.Entry<String, String> job : JOBS.entrySet()) {
            Map<String, Object> runbook = new Yaml().load(Files.readString(REPO.resolve("runbooks/" + job.getValue())));
            Map<String, Object> v = (Map<String, Object>) values.get(job.getKey());
            Set<String> declared = section(runbook, "inputs").keySet();
            for (String input : section(v, "inputs").keySet()) {
                assertTrue(declared.contains(input), job.getKey() + ".inputs." + input + " is not an input of runbooks/" + job.getValue());
            }
            Set<String> steps = Stream.of("steps", "finally", "on-failure")
                    .flatMap(k -> ((List<Map<String, Object>>) runbook.getOrDefault(k, List.of())).stream())
                    .map(st -> String.valueOf(st.get("id"))).collect(Collectors.toSet());
            for (Object id : (List<Object>) v.get("approve")) {
                assertTrue(steps.contains(String.valueOf(id)), job.getKey() + ".approve: no step " + id + " in runbooks/" + job.getValue());
            }
            assertTrue(declared.containsAll(List.of("pushgateway", "metrics_dir")),
                    "runbooks/" + job.getValue() + " reads the metrics settings the chart passes (RUNBOOK_PUSHGATEWAY, RUNBOOK_METRICS_DIR)");
        }
        assertEquals(List.of("prune"), section(values, "prune").get("approve"));
        assertEquals(7, section(section(values, "prune"), "inputs").get("keep_last"));
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
        // $v is a job's own values (backup, prune, drill): each of them declares every key used
        Pattern perJob = Pattern.compile("\\$v\\.([A-Za-z0-9_]+)");
        try (Stream<Path> templates = Files.list(CHART.resolve("templates"))) {
            for (Path t : templates.toList()) {
                Matcher m = perJob.matcher(Files.readString(t));
                while (m.find()) {
                    for (String job : JOBS.keySet()) {
                        if (!(values.get(job) instanceof Map<?, ?> v && v.containsKey(m.group(1)))) {
                            missing.add(t.getFileName() + ": " + job + "." + m.group(1));
                        }
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
        assertEquals(Map.of("backup.yaml", Files.readString(REPO.resolve("runbooks/backup.yaml"))), cm.getData(),
                "only the backup by default; the ConfigMap carries runbooks/backup.yaml unchanged (its ${{ }} expressions are not templated)");

        CronJob cj = only(objects, CronJob.class);
        assertEquals("nightly-backup", cj.getMetadata().getName());
        assertEquals("backup", cj.getMetadata().getLabels().get("app.kubernetes.io/component"));
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
        assertEquals(List.of("run", "/runbooks/backup.yaml"), c.getArgs(), "no --yes: nothing is approved unattended unless named");
        assertEquals("backup-credentials", c.getEnvFrom().get(0).getSecretRef().getName());
        assertEquals(new Quantity("256Mi"), c.getResources().getRequests().get("memory"));
        assertEquals(new Quantity("100m"), c.getResources().getRequests().get("cpu"));
        assertEquals(new Quantity("512Mi"), c.getResources().getLimits().get("memory"));
        assertEquals(new Quantity("1"), c.getResources().getLimits().get("cpu"));
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals(Map.of("RUNBOOK_STATE_DIR", CronJobExport.STATE_DIR), env(c), "no inputs, no metrics settings by default");
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals(CronJobExport.STATE_DIR)));
        assertEquals(List.of("runbook", "state", "tmp"), pod.getVolumes().stream().map(v -> v.getName()).toList());
        assertEquals(cm.getMetadata().getName(), pod.getVolumes().get(0).getConfigMap().getName());
        assertEquals(292, pod.getVolumes().get(0).getConfigMap().getDefaultMode(), "0444");
        assertTrue(pod.getVolumes().get(1).getEmptyDir() != null && pod.getVolumes().get(2).getEmptyDir() != null);
        assertTrue(pod.getNodeSelector() == null || pod.getNodeSelector().isEmpty(), "no nodeSelector by default");
        assertTrue(pod.getTolerations() == null || pod.getTolerations().isEmpty());
    }

    @Test
    void valuesOverrideScheduleSecretRunbookEnvAndAddRbacOnlyWhenAsked() throws IOException {
        Map<String, Object> values = defaultValues();
        Map<String, Object> backup = section(values, "backup");
        backup.put("schedule", "30 3 * * 0");
        values.put("timeZone", "Europe/Berlin");
        values.put("existingSecret", "pg-s3");
        section(values, "image").put("tag", "0.1.0");
        backup.put("runbook", Files.readString(REPO.resolve("runbooks/restore-drill.yaml")));
        backup.put("inputs", Map.of("compression", "zstd"));
        values.put("extraEnv", List.of(Map.of("name", "TZ", "value", "UTC")));
        values.put("nodeSelector", Map.of("pool", "batch"));
        Map<String, Object> rbac = section(values, "rbac");
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
        assertEquals(List.of("RUNBOOK_STATE_DIR", "RUNBOOK_INPUT_COMPRESSION", "TZ"), c.getEnv().stream().map(e -> e.getName()).toList());
        assertEquals("zstd", env(c).get("RUNBOOK_INPUT_COMPRESSION"));
        assertEquals(Map.of("pool", "batch"), pod.getNodeSelector());
        assertEquals(Boolean.TRUE, pod.getAutomountServiceAccountToken(), "a runbook that calls the API gets a token");
        assertEquals(Files.readString(REPO.resolve("runbooks/restore-drill.yaml")), only(objects, ConfigMap.class).getData().get("backup.yaml"),
                "backup.runbook replaces the chart's copy");

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
        List<HasMetadata> old = render(allJobs(), ChartRenderer.Capabilities.K8S_1_20);
        List<String> apis = old.stream().filter(o -> "CronJob".equals(o.getKind())).map(HasMetadata::getApiVersion).toList();
        assertEquals(List.of("batch/v1beta1", "batch/v1beta1", "batch/v1beta1"), apis, "every CronJob, on 1.20");
        assertEquals(List.of("batch/v1", "batch/v1", "batch/v1"), cronJobs(render(allJobs())).values().stream()
                .map(HasMetadata::getApiVersion).toList(), "every CronJob, on a current cluster");

        Map<String, Object> zoned = defaultValues();
        zoned.put("timeZone", "Europe/Berlin");
        section(zoned, "drill").put("enabled", true);
        ChartRenderer.ChartFailure refused = org.junit.jupiter.api.Assertions.assertThrows(ChartRenderer.ChartFailure.class,
                () -> render(zoned, ChartRenderer.Capabilities.K8S_1_20));
        assertTrue(refused.getMessage().contains("timeZone needs Kubernetes 1.25+"), refused.getMessage());
        ChartRenderer.Capabilities k124 = new ChartRenderer.Capabilities(1, 24, java.util.Set.of("batch/v1/CronJob"));
        org.junit.jupiter.api.Assertions.assertThrows(ChartRenderer.ChartFailure.class, () -> render(zoned, k124));
        Map<String, CronJob> zonedJobs = cronJobs(render(zoned));
        assertEquals(Set.of("nightly-backup", "nightly-drill"), zonedJobs.keySet());
        zonedJobs.values().forEach(cj -> assertEquals("Europe/Berlin", cj.getSpec().getTimeZone()));
    }

    /** Default values with prune and the drill switched on. */
    static Map<String, Object> allJobs() throws IOException {
        Map<String, Object> values = defaultValues();
        section(values, "prune").put("enabled", true);
        section(values, "drill").put("enabled", true);
        return values;
    }

    /** A nested map of the values, e.g. section(values, "prune"). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> section(Map<String, Object> values, String key) {
        return (Map<String, Object>) values.get(key);
    }

    private static Map<String, CronJob> cronJobs(List<HasMetadata> objects) {
        Map<String, CronJob> out = new LinkedHashMap<>();
        objects.stream().filter(CronJob.class::isInstance).map(CronJob.class::cast).forEach(cj -> out.put(cj.getMetadata().getName(), cj));
        return out;
    }

    private static Container container(CronJob cj) {
        return cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> out = new LinkedHashMap<>();
        c.getEnv().forEach(e -> assertNull(out.put(e.getName(), e.getValue()), "one " + e.getName()));
        return out;
    }

    @Test
    void backupPruneAndDrillFromOneValuesFileEachWithItsScheduleRunbookApprovalAndEnv() throws IOException {
        Map<String, Object> values = allJobs();
        Map<String, Object> metrics = section(values, "metrics");
        metrics.put("pushgateway", "http://pushgateway.monitoring:9091");
        metrics.put("textfileDir", "/var/lib/node-exporter/textfile");
        values.put("extraEnv", List.of(Map.of("name", "TZ", "value", "UTC")));
        section(values, "drill").put("extraEnv", List.of(Map.of("name", "DRILL_NOTIFY_URL", "value", "https://hooks.example/drill")));
        section(section(values, "prune"), "inputs").put("keep_last", 30);

        List<HasMetadata> objects = render(values);
        Map<String, CronJob> jobs = cronJobs(objects);
        assertEquals(List.of("nightly-backup", "nightly-drill", "nightly-prune"), List.copyOf(jobs.keySet()));
        assertEquals("0 2 * * *", jobs.get("nightly-backup").getSpec().getSchedule());
        assertEquals("30 3 * * *", jobs.get("nightly-prune").getSpec().getSchedule());
        assertEquals("0 5 * * 0", jobs.get("nightly-drill").getSpec().getSchedule(), "the drill is weekly");
        jobs.forEach((name, cj) -> assertEquals(name.substring("nightly-".length()), cj.getMetadata().getLabels().get("app.kubernetes.io/component")));

        assertEquals(List.of("run", "/runbooks/backup.yaml"), container(jobs.get("nightly-backup")).getArgs());
        assertEquals(List.of("run", "/runbooks/prune.yaml", "--approve", "prune"), container(jobs.get("nightly-prune")).getArgs(),
                "the prune deletes unattended only with its one step approved by name");
        assertEquals(List.of("run", "/runbooks/restore-drill.yaml", "--approve", "drop-scratch"), container(jobs.get("nightly-drill")).getArgs());

        ConfigMap cm = only(objects, ConfigMap.class);
        for (Map.Entry<String, String> job : JOBS.entrySet()) {
            assertEquals(Files.readString(REPO.resolve("runbooks/" + job.getValue())), cm.getData().get(job.getValue()), job.getValue());
        }
        assertEquals(3, cm.getData().size());
        String notes = new ChartRenderer(CHART, values, "nightly", "shop").render(Files.readString(CHART.resolve("templates/NOTES.txt")));
        assertTrue(notes.contains("CronJob nightly-prune: runbooks/prune.yaml on \"30 3 * * *\"")
                && notes.contains("create job --from=cronjob/nightly-backup"), notes);

        Map<String, String> prune = env(container(jobs.get("nightly-prune")));
        assertEquals("30", prune.get("RUNBOOK_INPUT_KEEP_LAST"));
        assertEquals("14", prune.get("RUNBOOK_INPUT_KEEP_DAILY"));
        assertEquals("8", prune.get("RUNBOOK_INPUT_KEEP_WEEKLY"));
        assertEquals("12", prune.get("RUNBOOK_INPUT_KEEP_MONTHLY"));
        assertEquals("3", prune.get("RUNBOOK_INPUT_KEEP_YEARLY"));
        assertEquals("0s", prune.get("RUNBOOK_INPUT_KEEP_WITHIN"));
        assertEquals("1d", prune.get("RUNBOOK_INPUT_MIN_AGE"));
        for (CronJob cj : jobs.values()) {
            String name = cj.getMetadata().getName();
            Map<String, String> env = env(container(cj));
            assertEquals("http://pushgateway.monitoring:9091", env.get("RUNBOOK_PUSHGATEWAY"), name);
            assertEquals("/var/lib/node-exporter/textfile", env.get("RUNBOOK_METRICS_DIR"), name);
            assertEquals("UTC", env.get("TZ"), name + ": the shared extraEnv");
            assertEquals(name.equals("nightly-drill"), env.containsKey("DRILL_NOTIFY_URL"), name + ": a job's own extraEnv is its own");
            assertEquals(name.equals("nightly-prune"), env.keySet().stream().anyMatch(k -> k.startsWith("RUNBOOK_INPUT_")), name);
            PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
            var metricsVolume = pod.getVolumes().stream().filter(v -> v.getName().equals("metrics")).findFirst().orElseThrow();
            assertEquals("/var/lib/node-exporter/textfile", metricsVolume.getHostPath().getPath(), "node-exporter reads the node's directory");
            assertEquals("Directory", metricsVolume.getHostPath().getType());
            assertTrue(container(cj).getVolumeMounts().stream().anyMatch(m -> m.getName().equals("metrics")
                    && m.getMountPath().equals("/var/lib/node-exporter/textfile")), name);
            assertEquals(cm.getMetadata().getName(), pod.getVolumes().get(0).getConfigMap().getName(), name);
        }
    }
}
