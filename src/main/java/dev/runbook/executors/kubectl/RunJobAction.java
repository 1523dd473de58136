package dev.runbook.executors.kubectl;

import dev.runbook.spi.Action;
import dev.runbook.spi.OutputSpec;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.ParamSpec;
import dev.runbook.spi.ParamType;
import dev.runbook.spi.Params;
import dev.runbook.spi.Sha256;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobSpec;
import io.fabric8.kubernetes.api.model.batch.v1.JobTemplateSpec;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a Job to completion: {@code kubectl create job NAME --from=cronjob/BACKUP} (or from an
 * inline spec), waits within {@code within}, and copies its logs into the step log. A failed Job
 * fails the step with the tail of its logs.
 *
 * <p>Without a {@code name}, the Job is named after its source plus a hash of the run and step
 * ids: a resumed run finds the Job it created before (by that name and the run annotation) and
 * waits for it instead of starting a second restore.
 */
final class RunJobAction implements Action {

    static final String RUN_ANNOTATION = "runbook.dev/run";
    static final Duration DEFAULT_WITHIN = Duration.ofMinutes(30);

    private final KubeClientFactory factory;

    RunJobAction(KubeClientFactory factory) {
        this.factory = factory;
    }

    @Override
    public String name() {
        return "run-job";
    }

    @Override
    public String summary() {
        return "Create a Job (from a CronJob or an inline spec), wait for it and collect its logs";
    }

    @Override
    public List<ParamSpec> params() {
        return Connection.params(
                ParamSpec.optional("from-cronjob", ParamType.STRING, null, "create the job from this CronJob's template"),
                ParamSpec.optional("job", ParamType.MAP, null, "inline Job manifest, or just its spec (with template)")
                        .ofValues(ParamSpec.element(ParamType.ANY, "Kubernetes Job fields, checked by the API server (dry run in the plan)")),
                ParamSpec.optional("name", ParamType.STRING, null, "job name (default: derived from the source, the run and the step)"),
                ParamSpec.optional("within", ParamType.DURATION, "30m", "how long the job may take"),
                ParamSpec.optional("log-lines", ParamType.INT, 200L, "how many lines of each pod's log to copy into the step log"),
                ParamSpec.optional("destructive", ParamType.BOOL, false, "flag the step as destructive (a restore job is)"));
    }

    @Override
    public List<OutputSpec> outputs() {
        return List.of(OutputSpec.of("job", ParamType.STRING, "the job's name"));
    }

    @Override
    public boolean destructive(Params params) {
        return params.has("destructive") && !params.isDeferred("destructive") && params.bool("destructive", false);
    }

    @Override
    public String describe(Params params) {
        String source = params.has("from-cronjob") ? " from cronjob/" + params.display("from-cronjob") : " from an inline spec";
        String name = params.has("name") ? " " + params.display("name") : "";
        return "create job" + name + source + Connection.where(params) + " and wait up to " + params.display("within", "30m");
    }

    @Override
    public Outputs execute(Params params, StepContext ctx) throws Exception {
        if (params.has("from-cronjob") == params.has("job")) {
            throw new StepFailure("run-job needs exactly one of 'from-cronjob' or 'job'", false, null);
        }
        Duration within = params.duration("within", DEFAULT_WITHIN);
        int logLines = (int) params.integer("log-lines", 200);
        String runMark = ctx.runId() + "/" + ctx.stepId();
        try (KubeSession s = factory.open(params, ctx)) {
            Job job = params.has("from-cronjob") ? fromCronJob(s, params.string("from-cronjob")) : inline(s, params.map("job"));
            String name = params.has("name") ? params.string("name") : derivedName(baseName(params, job), runMark);
            job.getMetadata().setName(name);
            job.getMetadata().setNamespace(s.namespace());
            job.getMetadata().getAnnotations().put(RUN_ANNOTATION, runMark);
            String label = "job/" + name;

            Job existing = s.call(new Op("get", "jobs.batch", label),
                    () -> s.client().batch().v1().jobs().inNamespace(s.namespace()).withName(name).get());
            if (existing != null) {
                Map<String, String> ann = existing.getMetadata().getAnnotations();
                if (ann == null || !runMark.equals(ann.get(RUN_ANNOTATION))) {
                    throw new StepFailure(label + " already exists in namespace " + s.namespace() + " and was not created by this"
                            + " run. Choose another 'name', or delete it: kubectl delete job " + name + " -n " + s.namespace(), false, null);
                }
                ctx.log().info(label + " was already created by this run; waiting for it");
            } else {
                s.call(new Op("create", "jobs.batch", label), () -> s.client().batch().v1().jobs().resource(job).create());
                ctx.log().info("created " + label + " in namespace " + s.namespace()
                        + (params.has("from-cronjob") ? " from cronjob/" + params.string("from-cronjob") : ""));
            }
            Jobs.awaitSuccess(s, ctx, name, within);
            Jobs.copyLogs(s, ctx, name, logLines);
            ctx.log().info(label + " completed");
            return Outputs.none().put("job", name);
        }
    }

    /** CronJobs as Kubernetes 1.20 and older serve them (batch/v1 since 1.21; v1beta1 gone in 1.25). */
    private static final ResourceDefinitionContext CRONJOB_V1BETA1 = new ResourceDefinitionContext.Builder()
            .withGroup("batch").withVersion("v1beta1").withKind("CronJob").withPlural("cronjobs").withNamespaced(true).build();

    /** What {@code kubectl create job --from=cronjob/X} builds: the template, marked manual, owned by the CronJob. */
    private static Job fromCronJob(KubeSession s, String cronJobName) throws StepFailure {
        Op get = new Op("get", "cronjobs.batch", "cronjob/" + cronJobName);
        String apiVersion = "batch/v1";
        CronJob cron = s.call(get, () -> s.client().batch().v1().cronjobs().inNamespace(s.namespace()).withName(cronJobName).get());
        if (cron == null) {
            // Not there, or a cluster older than 1.21 that serves CronJobs only as batch/v1beta1 (its
            // jobTemplate has the same fields): a 404 says neither, so ask the older API too.
            GenericKubernetesResource old = s.call(get, () -> s.client().genericKubernetesResources(CRONJOB_V1BETA1)
                    .inNamespace(s.namespace()).withName(cronJobName).get());
            if (old != null) {
                cron = s.client().getKubernetesSerialization().convertValue(old, CronJob.class);
                apiVersion = "batch/v1beta1";
            }
        }
        if (cron == null) {
            throw new StepFailure("cronjob/" + cronJobName + " not found in namespace " + s.namespace() + " ("
                    + s.origin().describe() + "). List them: kubectl get cronjobs -n " + s.namespace(), false, null);
        }
        JobTemplateSpec template = cron.getSpec().getJobTemplate();
        ObjectMeta meta = new ObjectMeta();
        if (template.getMetadata() != null) {
            meta.setLabels(template.getMetadata().getLabels());
            meta.setAnnotations(template.getMetadata().getAnnotations());
        }
        Map<String, String> annotations = new LinkedHashMap<>(meta.getAnnotations() == null ? Map.of() : meta.getAnnotations());
        annotations.put("cronjob.kubernetes.io/instantiate", "manual");
        meta.setAnnotations(annotations);
        meta.setOwnerReferences(List.of(new OwnerReferenceBuilder()
                .withApiVersion(apiVersion).withKind("CronJob")
                .withName(cronJobName).withUid(cron.getMetadata().getUid())
                .withController(true).build()));
        Job job = new Job();
        job.setApiVersion("batch/v1");
        job.setKind("Job");
        job.setMetadata(meta);
        job.setSpec(s.client().getKubernetesSerialization().clone(template.getSpec()));
        return job;
    }

    private static Job inline(KubeSession s, Map<String, Object> spec) throws StepFailure {
        var serialization = s.client().getKubernetesSerialization();
        Job job;
        if ("Job".equals(spec.get("kind"))) {
            job = serialization.convertValue(spec, Job.class);
        } else if (spec.containsKey("template")) {
            job = new Job();
            job.setApiVersion("batch/v1");
            job.setKind("Job");
            job.setMetadata(new ObjectMeta());
            job.setSpec(serialization.convertValue(spec, JobSpec.class));
        } else {
            throw new StepFailure("'job' must be a Job manifest (kind: Job) or a job spec with a 'template'", false, null);
        }
        if (job.getMetadata() == null) {
            job.setMetadata(new ObjectMeta());
        }
        job.getMetadata().setAnnotations(new LinkedHashMap<>(
                job.getMetadata().getAnnotations() == null ? Map.of() : job.getMetadata().getAnnotations()));
        return job;
    }

    private static String baseName(Params params, Job job) {
        if (params.has("from-cronjob")) {
            return params.string("from-cronjob");
        }
        return job.getMetadata().getName() != null ? job.getMetadata().getName() : "runbook-job";
    }

    /** base-1a2b3c4d: stable for one run and step, a valid DNS label of at most 63 characters. */
    static String derivedName(String base, String runMark) {
        String suffix = Sha256.hex(runMark).substring(0, 8);
        String clean = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        clean = clean.substring(0, Math.min(clean.length(), 63 - suffix.length() - 1)).replaceAll("-+$", "");
        return clean + "-" + suffix;
    }
}
