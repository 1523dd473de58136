package dev.runbook.executors.kubectl;

import dev.runbook.spi.Outputs;
import dev.runbook.spi.StepFailure;
import dev.runbook.testsupport.RecordingStepContext;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * run-job from a CronJob against the Fabric8 mock server. The mock server runs no job
 * controller: a test thread creates the job's pod, gives it a log (a mock expectation) and
 * writes the Job's status as the controller would.
 */
class RunJobActionTest {

    private MockCluster cluster;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        cluster.client.batch().v1().cronjobs().resource(new CronJobBuilder()
                .withNewMetadata().withName("backup").withNamespace(MockCluster.NAMESPACE).endMetadata()
                .withNewSpec().withSchedule("0 2 * * *")
                .withNewJobTemplate()
                .withNewMetadata().addToLabels("app", "backup").endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withNewTemplate().withNewSpec().withRestartPolicy("Never")
                .addNewContainer().withName("pg-dump").withImage("postgres:15").withCommand("pg_dump").endContainer()
                .endSpec().endTemplate().endSpec()
                .endJobTemplate().endSpec().build()).create();
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    @Test
    void createsTheJobFromTheCronJobWaitsForItAndCopiesItsLogs() throws Exception {
        RecordingStepContext ctx = cluster.context();
        Thread controller = playController("restore-db", "dump written\nall done\n",
                job -> job.setStatus(new JobStatusBuilder().withSucceeded(1).build()));

        Outputs out = new RunJobAction(new KubeClientFactory())
                .execute(MockCluster.params("from-cronjob", "backup", "name", "restore-db", "within", "20s"), ctx);
        controller.join();

        assertEquals("restore-db", out.asMap().get("job"));
        Job job = cluster.client.batch().v1().jobs().withName("restore-db").get();
        assertEquals("manual", job.getMetadata().getAnnotations().get("cronjob.kubernetes.io/instantiate"));
        assertEquals("CronJob", job.getMetadata().getOwnerReferences().get(0).getKind());
        assertEquals("backup", job.getMetadata().getLabels().get("app"));
        assertEquals("pg-dump", job.getSpec().getTemplate().getSpec().getContainers().get(0).getName());
        String log = ctx.transcript();
        assertTrue(log.contains("created job/restore-db in namespace prod from cronjob/backup"), log);
        assertTrue(log.contains("out: [restore-db-abcde] dump written"), log);
        assertTrue(log.contains("out: [restore-db-abcde] all done"), log);
        assertTrue(log.contains("job/restore-db completed"), log);
    }

    @Test
    void aFailedJobFailsTheStepWithTheTailOfItsLogs() throws Exception {
        Thread controller = playController("restore-db", "connecting\npsql: FATAL: role \"app\" does not exist\n",
                job -> job.setStatus(new JobStatusBuilder().withFailed(1).build()));

        StepFailure failure = assertThrows(StepFailure.class, () -> new RunJobAction(new KubeClientFactory())
                .execute(MockCluster.params("from-cronjob", "backup", "name", "restore-db", "within", "20s"), cluster.context()));
        controller.join();

        assertFalse(failure.retryable());
        assertTrue(failure.getMessage().startsWith("job/restore-db in namespace prod failed: 1 failed pod(s), more than its backoffLimit of 0"),
                failure.getMessage());
        assertTrue(failure.getMessage().contains("psql: FATAL: role \"app\" does not exist"), failure.getMessage());
        assertTrue(failure.getMessage().contains("kubectl logs job/restore-db -n prod"), failure.getMessage());
    }

    @Test
    void aResumedRunWaitsForTheJobItCreatedInsteadOfStartingAnother() throws Exception {
        String name = RunJobAction.derivedName("backup", "test-run/test-step");
        Thread controller = playController(name, "ok\n", job -> job.setStatus(new JobStatusBuilder().withSucceeded(1).build()));
        RunJobAction action = new RunJobAction(new KubeClientFactory());
        action.execute(MockCluster.params("from-cronjob", "backup", "within", "20s"), cluster.context());
        controller.join();

        RecordingStepContext again = cluster.context();
        Outputs out = action.execute(MockCluster.params("from-cronjob", "backup", "within", "20s"), again);

        assertEquals(name, out.asMap().get("job"));
        assertTrue(again.transcript().contains("was already created by this run; waiting for it"), again.transcript());
        assertEquals(1, cluster.client.batch().v1().jobs().list().getItems().size());
    }

    /** Waits for the job, adds its pod with a log, then writes the job's final status. */
    private Thread playController(String jobName, String podLog, Consumer<Job> finish) {
        String pod = jobName + "-abcde";
        cluster.server.expect().get()
                .withPath("/api/v1/namespaces/prod/pods/" + pod + "/log?pretty=false&tailLines=20")
                .andReturn(200, podLog).always();
        cluster.server.expect().get()
                .withPath("/api/v1/namespaces/prod/pods/" + pod + "/log?pretty=false&tailLines=200")
                .andReturn(200, podLog).always();
        Thread t = new Thread(() -> {
            try {
                Job job = null;
                while (job == null) {
                    Thread.sleep(100);
                    job = cluster.client.batch().v1().jobs().withName(jobName).get();
                }
                cluster.client.pods().resource(new PodBuilder()
                        .withNewMetadata().withName(pod).withNamespace(MockCluster.NAMESPACE)
                        .addToLabels("job-name", jobName).endMetadata()
                        .withNewSpec().addNewContainer().withName("pg-dump").withImage("postgres:15").endContainer().endSpec()
                        .withNewStatus().withPhase("Running").endStatus().build()).create();
                Thread.sleep(600);
                finish.accept(job);
                cluster.client.batch().v1().jobs().resource(job).updateStatus();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        t.start();
        return t;
    }

}
