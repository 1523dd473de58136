package dev.runbook.executors.kubectl;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.DaemonSetStatus;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatus;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatus;

import java.util.List;

/**
 * Reads rollout and Job status the way {@code kubectl rollout status} and
 * {@code kubectl wait --for=condition=complete} do. Pure functions of the object, so they are
 * tested without a server.
 */
final class Readiness {

    private Readiness() {
    }

    static Progress deployment(Deployment d) {
        long desired = n(d.getSpec() == null ? null : d.getSpec().getReplicas(), 1);
        DeploymentStatus s = d.getStatus();
        if (s == null) {
            return Progress.pending("waiting for the deployment controller to report status", 0, desired);
        }
        for (DeploymentCondition c : list(s.getConditions())) {
            if ("Progressing".equals(c.getType()) && "ProgressDeadlineExceeded".equals(c.getReason())) {
                return Progress.failed("exceeded its progress deadline: " + c.getMessage());
            }
        }
        long generation = n(d.getMetadata().getGeneration(), 0);
        long observed = n(s.getObservedGeneration(), 0);
        long updated = n(s.getUpdatedReplicas(), 0);
        long replicas = n(s.getReplicas(), 0);
        long available = n(s.getAvailableReplicas(), 0);
        if (observed < generation) {
            return Progress.pending("waiting for the controller to see generation " + generation + " (seen " + observed + ")", 0, desired);
        }
        if (updated < desired) {
            return Progress.pending(updated + " of " + desired + " new replicas updated", updated, desired);
        }
        if (replicas > updated) {
            return Progress.pending((replicas - updated) + " old replicas pending termination", updated, desired);
        }
        if (available < updated) {
            return Progress.pending(available + " of " + updated + " updated replicas available", available, desired);
        }
        return Progress.done(available + " of " + desired + " replicas updated and available", available, desired);
    }

    static Progress statefulSet(StatefulSet sts) {
        long desired = n(sts.getSpec() == null ? null : sts.getSpec().getReplicas(), 1);
        StatefulSetStatus s = sts.getStatus();
        if (s == null) {
            return Progress.pending("waiting for the statefulset controller to report status", 0, desired);
        }
        long generation = n(sts.getMetadata().getGeneration(), 0);
        long observed = n(s.getObservedGeneration(), 0);
        long ready = n(s.getReadyReplicas(), 0);
        long updated = n(s.getUpdatedReplicas(), 0);
        boolean rolling = sts.getSpec() == null || sts.getSpec().getUpdateStrategy() == null
                || sts.getSpec().getUpdateStrategy().getType() == null
                || "RollingUpdate".equals(sts.getSpec().getUpdateStrategy().getType());
        if (observed < generation) {
            return Progress.pending("waiting for the controller to see generation " + generation + " (seen " + observed + ")", 0, desired);
        }
        if (ready < desired) {
            return Progress.pending(ready + " of " + desired + " replicas ready", ready, desired);
        }
        if (rolling && updated < desired) {
            return Progress.pending(updated + " of " + desired + " replicas updated", updated, desired);
        }
        if (rolling && s.getUpdateRevision() != null && s.getCurrentRevision() != null
                && !s.getUpdateRevision().equals(s.getCurrentRevision())) {
            return Progress.pending("waiting for revision " + s.getUpdateRevision() + " (current " + s.getCurrentRevision() + ")", updated, desired);
        }
        return Progress.done(ready + " of " + desired + " replicas ready and updated", ready, desired);
    }

    static Progress daemonSet(DaemonSet ds) {
        DaemonSetStatus s = ds.getStatus();
        if (s == null) {
            return Progress.pending("waiting for the daemonset controller to report status", 0, 0);
        }
        long generation = n(ds.getMetadata().getGeneration(), 0);
        long desired = n(s.getDesiredNumberScheduled(), 0);
        long updated = n(s.getUpdatedNumberScheduled(), 0);
        long available = n(s.getNumberAvailable(), 0);
        if (n(s.getObservedGeneration(), 0) < generation) {
            return Progress.pending("waiting for the controller to see generation " + generation, 0, desired);
        }
        if (updated < desired) {
            return Progress.pending(updated + " of " + desired + " pods updated", updated, desired);
        }
        if (available < desired) {
            return Progress.pending(available + " of " + desired + " updated pods available", available, desired);
        }
        return Progress.done(available + " of " + desired + " pods updated and available", available, desired);
    }

    static Progress job(Job job) {
        long completions = n(job.getSpec() == null ? null : job.getSpec().getCompletions(), 1);
        long backoffLimit = n(job.getSpec() == null ? null : job.getSpec().getBackoffLimit(), 6);
        JobStatus s = job.getStatus();
        if (s == null) {
            return Progress.pending("waiting for the job controller to start it", 0, completions);
        }
        for (JobCondition c : list(s.getConditions())) {
            if ("True".equals(c.getStatus()) && "Failed".equals(c.getType())) {
                return Progress.failed("failed" + reason(c.getReason(), c.getMessage()));
            }
            if ("True".equals(c.getStatus()) && "Complete".equals(c.getType())) {
                return Progress.done("complete", completions, completions);
            }
        }
        long succeeded = n(s.getSucceeded(), 0);
        long failed = n(s.getFailed(), 0);
        long active = n(s.getActive(), 0);
        if (succeeded >= completions) {
            return Progress.done("complete (" + succeeded + " succeeded)", succeeded, completions);
        }
        if (failed > backoffLimit) {
            return Progress.failed("failed: " + failed + " failed pod(s), more than its backoffLimit of " + backoffLimit);
        }
        return Progress.pending(active + " active, " + succeeded + " of " + completions + " succeeded, " + failed + " failed",
                succeeded, completions);
    }

    /** Whether a pod is Running, Ready and not being deleted. */
    static boolean podReady(Pod pod) {
        if (pod.getMetadata().getDeletionTimestamp() != null || pod.getStatus() == null
                || !"Running".equals(pod.getStatus().getPhase())) {
            return false;
        }
        for (PodCondition c : list(pod.getStatus().getConditions())) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    static String reason(String reason, String message) {
        String r = reason == null ? "" : " (" + reason + (message == null ? "" : ": " + message) + ")";
        return r.isEmpty() && message != null ? " (" + message + ")" : r;
    }

    private static long n(Number v, long fallback) {
        return v == null ? fallback : v.longValue();
    }

    private static <T> List<T> list(List<T> l) {
        return l == null ? List.of() : l;
    }

}
