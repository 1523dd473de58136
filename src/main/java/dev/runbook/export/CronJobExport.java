package dev.runbook.export;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds the Kubernetes objects that run a runbook on a schedule: a ServiceAccount with no API
 * token, a ConfigMap holding the runbook file(s), and a CronJob whose pod runs
 * {@code runbook run /runbooks/<file> --yes} as a non-root user on a read-only root filesystem.
 * Objects are built with Fabric8's model builders and written with its serializer, so the YAML
 * is always well-formed and uses the API's own field names.
 */
public final class CronJobExport {

    /** Where the ConfigMap is mounted in the container. */
    public static final String RUNBOOK_DIR = "/runbooks";
    /** The run journal and locks: an emptyDir, since the root filesystem is read-only. */
    public static final String STATE_DIR = "/var/lib/runbook";
    /** The uid/gid of the image's non-root user (see the Dockerfile). */
    public static final long RUN_AS = 10001L;

    static final int SUCCESSFUL_JOBS_KEPT = 3;
    static final int FAILED_JOBS_KEPT = 3;
    /**
     * With {@code concurrencyPolicy: Forbid} a hung job would block every later night; the job is
     * stopped after this long so the next schedule runs.
     */
    static final long JOB_DEADLINE_SECONDS = 6 * 3600L;
    /** A schedule missed by more than this (controller down) is skipped rather than run late. */
    static final long STARTING_DEADLINE_SECONDS = 3600L;

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern CRON_FIELD = Pattern.compile("[0-9A-Za-z*?/,\\-]+");
    private static final List<String> CRON_MACROS =
            List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");

    private CronJobExport() {
    }

    /** What is wrong with the request, as messages for the user; empty when it can be exported. */
    public static List<String> problems(CronJobRequest r) {
        List<String> problems = new ArrayList<>();
        // The CronJob controller appends an 11-character suffix to job names, which must stay <= 63.
        if (!DNS_LABEL.matcher(r.name()).matches() || r.name().length() > 52) {
            problems.add("--name '" + r.name() + "' must be lower case letters, digits and '-', at most 52 characters"
                    + " (Kubernetes adds a suffix for each job)");
        }
        if (r.namespace() != null && !DNS_LABEL.matcher(r.namespace()).matches()) {
            problems.add("--namespace '" + r.namespace() + "' is not a valid namespace name");
        }
        if (r.secret() != null && !r.secret().matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            problems.add("--secret '" + r.secret() + "' is not a valid Secret name");
        }
        String scheduleProblem = scheduleProblem(r.schedule());
        if (scheduleProblem != null) {
            problems.add(scheduleProblem);
        }
        String apiProblem = CronJobApi.decide(r.apiVersion(), java.util.Optional.empty(), r.timeZone()).problem();
        if (apiProblem != null) {
            problems.add(apiProblem);
        }
        if (r.image() == null || r.image().isBlank() || r.image().chars().anyMatch(Character::isWhitespace)) {
            problems.add("--image must name an image, e.g. registry.example.com/runbook:0.1.0");
        }
        return problems;
    }

    static String scheduleProblem(String schedule) {
        String s = schedule == null ? "" : schedule.trim();
        if (s.startsWith("TZ=") || s.startsWith("CRON_TZ=")) {
            return "--schedule: Kubernetes rejects TZ= in the schedule; use --time-zone instead";
        }
        if (CRON_MACROS.contains(s)) {
            return null;
        }
        String[] fields = s.split("\\s+");
        if (fields.length != 5 || !java.util.Arrays.stream(fields).allMatch(f -> CRON_FIELD.matcher(f).matches())) {
            return "--schedule '" + schedule + "' is not a cron schedule: give five fields"
                    + " (minute hour day-of-month month day-of-week), e.g. \"0 2 * * *\" for 02:00 every day";
        }
        return null;
    }

    /** The objects, in the order they must be applied: ServiceAccount, ConfigMap, CronJob. */
    public static List<HasMetadata> objects(CronJobRequest r) {
        List<String> problems = problems(r);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return List.of(serviceAccount(r), configMap(r), cronJob(r));
    }

    /** The objects as multi-document YAML, ready for {@code kubectl apply -f -}. */
    public static String yaml(CronJobRequest r) {
        StringBuilder out = new StringBuilder();
        for (HasMetadata o : objects(r)) {
            String doc = Serialization.asYaml(o instanceof CronJob cj && CronJobApi.V1BETA1.equals(r.apiVersion()) ? v1beta1(cj) : o);
            out.append(doc.startsWith("---") ? doc : "---\n" + doc);
            if (!doc.endsWith("\n")) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /**
     * The same CronJob as {@code batch/v1beta1} for clusters older than 1.21: the spec is the same
     * but for {@code timeZone}, which v1beta1 does not have ({@link #problems} refuses one).
     */
    @SuppressWarnings({"unchecked", "deprecation"}) // Serialization.jsonMapper(): the Fabric8 8 way to a plain map
    static Map<String, Object> v1beta1(CronJob cronJob) {
        Map<String, Object> map = Serialization.jsonMapper().convertValue(cronJob, LinkedHashMap.class);
        map.put("apiVersion", CronJobApi.V1BETA1);
        ((Map<String, Object>) map.get("spec")).remove("timeZone");
        return map;
    }

    static ServiceAccount serviceAccount(CronJobRequest r) {
        // The runbook talks to PostgreSQL and S3, never to the Kubernetes API: no token at all.
        return new ServiceAccountBuilder()
                .withMetadata(meta(r, r.name()))
                .withAutomountServiceAccountToken(false)
                .build();
    }

    static ConfigMap configMap(CronJobRequest r) {
        Map<String, String> data = new LinkedHashMap<>();
        r.files().forEach((path, content) -> data.put(configMapKey(path), content));
        return new ConfigMapBuilder().withMetadata(meta(r, r.name() + "-runbooks")).withData(data).build();
    }

    /** ConfigMap keys cannot hold '/': called runbooks in subdirectories are mapped back by volume items. */
    static String configMapKey(String path) {
        return path.replace('/', '_');
    }

    static CronJob cronJob(CronJobRequest r) {
        return new CronJobBuilder()
                .withMetadata(meta(r, r.name()))
                .withNewSpec()
                    .withSchedule(r.schedule().trim())
                    .withTimeZone(r.timeZone())
                    .withConcurrencyPolicy("Forbid")
                    .withStartingDeadlineSeconds(STARTING_DEADLINE_SECONDS)
                    .withSuccessfulJobsHistoryLimit(SUCCESSFUL_JOBS_KEPT)
                    .withFailedJobsHistoryLimit(FAILED_JOBS_KEPT)
                    .withNewJobTemplate()
                        .withNewMetadata().withLabels(labels(r)).endMetadata()
                        .withNewSpec()
                            // The runbook retries its own steps; one more whole-job attempt covers a lost node.
                            .withBackoffLimit(1)
                            .withActiveDeadlineSeconds(JOB_DEADLINE_SECONDS)
                            .withNewTemplate()
                                .withNewMetadata().withLabels(labels(r)).endMetadata()
                                .withSpec(podSpec(r))
                            .endTemplate()
                        .endSpec()
                    .endJobTemplate()
                .endSpec()
                .build();
    }

    private static PodSpec podSpec(CronJobRequest r) {
        List<KeyToPath> items = new ArrayList<>();
        r.files().keySet().forEach(path -> items.add(new io.fabric8.kubernetes.api.model.KeyToPathBuilder().withKey(configMapKey(path)).withPath(path).build()));
        return new PodSpecBuilder()
                .withRestartPolicy("Never")
                .withServiceAccountName(r.name())
                .withAutomountServiceAccountToken(false)
                .withSecurityContext(new PodSecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withRunAsUser(RUN_AS)
                        .withRunAsGroup(RUN_AS)
                        .withFsGroup(RUN_AS)
                        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                        .build())
                .withContainers(container(r))
                .addNewVolume().withName("runbooks")
                    .withNewConfigMap().withName(r.name() + "-runbooks").withItems(items).withDefaultMode(0444).endConfigMap()
                .endVolume()
                .addNewVolume().withName("state").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .build();
    }

    private static Container container(CronJobRequest r) {
        // Never --yes: it would approve every step, also ones added to the runbook later. A step
        // that needs approval runs unattended only when the export named it (--approve STEP).
        List<String> args = new ArrayList<>(List.of("run", RUNBOOK_DIR + "/" + r.mainFile()));
        r.approve().forEach(step -> {
            args.add("--approve");
            args.add(step);
        });
        r.inputs().forEach((k, v) -> {
            args.add("--input");
            args.add(k + "=" + v);
        });
        ContainerBuilder c = new ContainerBuilder()
                .withName("runbook")
                .withImage(r.image())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("runbook")
                .withArgs(args)
                .addNewEnv().withName("RUNBOOK_STATE_DIR").withValue(STATE_DIR).endEnv()
                .withNewResources()
                    .addToRequests("cpu", new Quantity("100m"))
                    .addToRequests("memory", new Quantity("256Mi"))
                    .addToLimits("cpu", new Quantity("1"))
                    .addToLimits("memory", new Quantity("512Mi"))
                .endResources()
                .withSecurityContext(new SecurityContextBuilder()
                        .withRunAsNonRoot(true)
                        .withAllowPrivilegeEscalation(false)
                        .withReadOnlyRootFilesystem(true)
                        .withNewCapabilities().withDrop("ALL").endCapabilities()
                        .build())
                .addNewVolumeMount().withName("runbooks").withMountPath(RUNBOOK_DIR).withReadOnly(true).endVolumeMount()
                .addNewVolumeMount().withName("state").withMountPath(STATE_DIR).endVolumeMount()
                // The JVM and pg_dump want a writable /tmp.
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount();
        if (r.secret() != null) {
            // BACKUP_BUCKET, PGHOST/PGUSER/PGPASSWORD/..., AWS_* come from the Secret's keys, never from the spec.
            c.addNewEnvFrom().withNewSecretRef().withName(r.secret()).withOptional(false).endSecretRef().endEnvFrom();
        }
        return c.build();
    }

    private static ObjectMeta meta(CronJobRequest r, String name) {
        return new ObjectMetaBuilder().withName(name).withNamespace(r.namespace()).withLabels(labels(r)).build();
    }

    private static Map<String, String> labels(CronJobRequest r) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("app.kubernetes.io/name", "runbook");
        labels.put("app.kubernetes.io/instance", r.name());
        labels.put("app.kubernetes.io/managed-by", "runbook-export");
        return labels;
    }
}
