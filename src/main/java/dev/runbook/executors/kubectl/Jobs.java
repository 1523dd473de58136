package dev.runbook.executors.kubectl;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/** Waiting for a Job, and reading its pods' logs for the step log or a failure message. */
final class Jobs {

    static final int FAILURE_TAIL_LINES = 20;

    private Jobs() {
    }

    /**
     * Waits until the Job completes; a failed Job becomes a StepFailure with the tail of its
     * pods' logs, so the engineer sees why without another command.
     */
    static void awaitSuccess(KubeSession s, StepContext ctx, String name, Duration within) throws StepFailure, InterruptedException {
        String label = "job/" + name;
        Progress end = Waiter.until(ctx, label, within,
                "Check it with: kubectl describe job " + name + " -n " + s.namespace() + "; kubectl logs job/" + name
                        + " -n " + s.namespace(),
                () -> {
                    Job job = s.call(new Op("get", "jobs.batch", label),
                            () -> s.client().batch().v1().jobs().inNamespace(s.namespace()).withName(name).get());
                    if (job == null) {
                        throw new StepFailure(label + " disappeared from namespace " + s.namespace()
                                + " while runbook waited for it (deleted by someone, or by its ttlSecondsAfterFinished?)", false, null);
                    }
                    return Readiness.job(job);
                });
        if (end.state() == Progress.State.FAILED) {
            throw new StepFailure(label + " in namespace " + s.namespace() + " " + end.summary() + ". Last log lines:\n"
                    + logsTail(s, name, FAILURE_TAIL_LINES)
                    + "\nMore: kubectl logs job/" + name + " -n " + s.namespace(), false, null);
        }
    }

    /** The job's pods, oldest first (retries come later). */
    static List<Pod> pods(KubeSession s, String job) throws StepFailure {
        List<Pod> pods = s.call(new Op("list", "pods", "pods of job/" + job),
                () -> s.client().pods().inNamespace(s.namespace()).withLabel("job-name", job).list().getItems());
        return pods.stream().sorted(Comparator.comparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()))).toList();
    }

    /** The last lines of the job's most recent pod, or a note that there is none. Never throws. */
    static String logsTail(KubeSession s, String job, int lines) {
        try {
            List<Pod> pods = pods(s, job);
            if (pods.isEmpty()) {
                return "(no pods found for job/" + job + ")";
            }
            Pod last = pods.get(pods.size() - 1);
            return "[" + last.getMetadata().getName() + "]\n" + Pods.tail(s, last, null, lines);
        } catch (StepFailure e) {
            return "(logs unavailable: " + e.getMessage() + ")";
        }
    }

    /** Copies each pod's log into the step log, line by line, prefixed with the pod name. */
    static void copyLogs(KubeSession s, StepContext ctx, String job, int lines) throws StepFailure {
        for (Pod pod : pods(s, job)) {
            String log = Pods.tail(s, pod, null, lines);
            for (String line : log.split("\n", -1)) {
                if (!line.isEmpty()) {
                    ctx.log().output("[" + pod.getMetadata().getName() + "] " + line);
                }
            }
        }
    }
}
