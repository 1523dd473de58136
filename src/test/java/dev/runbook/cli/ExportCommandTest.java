package dev.runbook.cli;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code runbook export cronjob}: the printed YAML read back with Fabric8 into the expected objects. */
class ExportCommandTest {

    private static final Path REPO = Path.of("").toAbsolutePath();

    record Result(int code, String out, String err) {
    }

    private static Result run(Path workDir, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Cli cli = new Cli(new PrintWriter(out, true), new PrintWriter(err, true), new BufferedReader(new StringReader("")),
                Map.of(), workDir, false);
        int code = Main.run(cli, args);
        return new Result(code, out.toString(), err.toString());
    }

    @SuppressWarnings("deprecation") // Serialization.unmarshal: the one call that reads any kind from YAML
    private static List<HasMetadata> parse(String yaml) {
        Object parsed = Serialization.unmarshal(yaml);
        assertInstanceOf(List.class, parsed, "three YAML documents read back as a list");
        @SuppressWarnings("unchecked")
        List<HasMetadata> objects = (List<HasMetadata>) parsed;
        return objects;
    }

    @Test
    void backupRunbookBecomesServiceAccountConfigMapAndCronJob() throws IOException {
        Result r = run(REPO, "export", "cronjob", "runbooks/backup.yaml", "--schedule", "0 2 * * *",
                "--namespace", "shop", "--image", "registry.example.com/runbook:0.1.0", "--secret", "backup-env");
        assertEquals(0, r.code(), r.err());

        List<HasMetadata> objects = parse(r.out());
        assertEquals(3, objects.size());
        ServiceAccount sa = assertInstanceOf(ServiceAccount.class, objects.get(0));
        ConfigMap cm = assertInstanceOf(ConfigMap.class, objects.get(1));
        CronJob cj = assertInstanceOf(CronJob.class, objects.get(2));
        objects.forEach(o -> assertEquals("shop", o.getMetadata().getNamespace(), o.getKind()));

        assertEquals("runbook-backup", sa.getMetadata().getName());
        assertEquals(Boolean.FALSE, sa.getAutomountServiceAccountToken(), "the backup needs no Kubernetes API token");

        assertEquals("runbook-backup-runbooks", cm.getMetadata().getName());
        assertEquals(Files.readString(REPO.resolve("runbooks/backup.yaml")), cm.getData().get("backup.yaml"),
                "the ConfigMap holds the runbook byte for byte");

        assertEquals("runbook-backup", cj.getMetadata().getName());
        assertEquals("0 2 * * *", cj.getSpec().getSchedule());
        assertEquals("Forbid", cj.getSpec().getConcurrencyPolicy());
        assertEquals(3, cj.getSpec().getSuccessfulJobsHistoryLimit());
        assertEquals(3, cj.getSpec().getFailedJobsHistoryLimit());
        assertNull(cj.getSpec().getTimeZone());
        assertTrue(cj.getSpec().getJobTemplate().getSpec().getActiveDeadlineSeconds() > 0,
                "a hung job must end, or Forbid skips every later night");

        PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        assertEquals("Never", pod.getRestartPolicy());
        assertEquals("runbook-backup", pod.getServiceAccountName());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
        assertEquals(10001L, pod.getSecurityContext().getRunAsUser());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());

        Container c = pod.getContainers().get(0);
        assertEquals("registry.example.com/runbook:0.1.0", c.getImage());
        assertEquals(List.of("runbook"), c.getCommand());
        assertEquals(List.of("run", "/runbooks/backup.yaml"), c.getArgs(), "never --yes: it would approve every step");
        assertEquals("backup-env", c.getEnvFrom().get(0).getSecretRef().getName());
        assertEquals(Boolean.TRUE, c.getSecurityContext().getReadOnlyRootFilesystem());
        assertEquals(Boolean.FALSE, c.getSecurityContext().getAllowPrivilegeEscalation());
        assertEquals(List.of("ALL"), c.getSecurityContext().getCapabilities().getDrop());
        assertEquals(new Quantity("512Mi"), c.getResources().getLimits().get("memory"));
        assertEquals(new Quantity("256Mi"), c.getResources().getRequests().get("memory"));
        assertEquals(new Quantity("100m"), c.getResources().getRequests().get("cpu"));

        // The state dir is writable (emptyDir) although the root filesystem is read-only.
        String stateDir = c.getEnv().stream().filter(e -> e.getName().equals("RUNBOOK_STATE_DIR")).findFirst().orElseThrow().getValue();
        String stateVolume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(stateDir)).findFirst().orElseThrow().getName();
        Volume state = pod.getVolumes().stream().filter(v -> v.getName().equals(stateVolume)).findFirst().orElseThrow();
        assertTrue(state.getEmptyDir() != null, "state dir on an emptyDir");
        assertTrue(c.getVolumeMounts().stream().anyMatch(m -> m.getMountPath().equals("/tmp")), "/tmp is writable");

        // The runbook file is mounted from the ConfigMap where the command reads it.
        String runbooksVolume = c.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/runbooks")).findFirst().orElseThrow().getName();
        Volume runbooks = pod.getVolumes().stream().filter(v -> v.getName().equals(runbooksVolume)).findFirst().orElseThrow();
        assertEquals(cm.getMetadata().getName(), runbooks.getConfigMap().getName());
        assertEquals("backup.yaml", runbooks.getConfigMap().getItems().get(0).getPath());

        assertTrue(r.err().contains("BACKUP_BUCKET") && r.err().contains("PGHOST") && r.err().contains("backup-env"),
                "tells on stderr what the Secret must hold: " + r.err());
        assertFalse(r.out().contains("runbook: "), "advice stays off stdout so it can be piped to kubectl");
    }

    @Test
    void calledRunbooksInputsAndTimeZoneAreCarried(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("parts"));
        Files.writeString(dir.resolve("main.yaml"), """
                name: Nightly.Check
                inputs:
                  url: { type: string, default: "http://localhost/health" }
                steps:
                  - id: ping
                    uses: ./parts/ping.yaml
                    with: { url: "${{ inputs.url }}" }
                """);
        Files.writeString(dir.resolve("parts/ping.yaml"), """
                name: ping
                inputs:
                  url: { type: string, required: true }
                steps:
                  - id: get
                    uses: http-check.check
                    with: { url: "${{ inputs.url }}" }
                """);
        Result r = run(dir, "export", "cronjob", "main.yaml", "--schedule", "@hourly", "--time-zone", "Europe/Berlin",
                "--input", "url=http://api.shop.svc/health");
        assertEquals(0, r.code(), r.err());
        List<HasMetadata> objects = parse(r.out());
        ConfigMap cm = (ConfigMap) objects.get(1);
        CronJob cj = (CronJob) objects.get(2);
        assertEquals("runbook-nightly-check", cj.getMetadata().getName(), "default name made a valid DNS label");
        assertNull(cj.getMetadata().getNamespace());
        assertEquals("Europe/Berlin", cj.getSpec().getTimeZone());
        assertEquals("@hourly", cj.getSpec().getSchedule());
        assertEquals(Files.readString(dir.resolve("parts/ping.yaml")), cm.getData().get("parts_ping.yaml"));
        PodSpec pod = cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec();
        var items = pod.getVolumes().get(0).getConfigMap().getItems();
        assertEquals("parts/ping.yaml", items.stream().filter(i -> i.getKey().equals("parts_ping.yaml")).findFirst().orElseThrow().getPath(),
                "the called runbook is mounted at the relative path the caller uses");
        assertEquals(List.of("run", "/runbooks/main.yaml", "--input", "url=http://api.shop.svc/health"),
                pod.getContainers().get(0).getArgs());
    }

    @Test
    void onlyTheStepsNamedWithApproveAreApprovedInTheScheduledRun(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("prune.yaml"), """
                name: prune
                steps:
                  - id: look
                    uses: test.echo
                    with: { message: listing }
                  - id: confirm-delete
                    uses: approve.gate
                    needs: [look]
                    with: { message: delete old backups }
                  - id: confirm-notify
                    uses: approve.gate
                    needs: [confirm-delete]
                    with: { message: tell the channel }
                """);
        Result unapproved = run(dir, "export", "cronjob", "prune.yaml", "--schedule", "@daily");
        assertEquals(0, unapproved.code(), unapproved.err());
        assertTrue(unapproved.err().contains("step 'confirm-delete' needs approval and is not approved"), unapproved.err());
        assertTrue(unapproved.err().contains("--approve confirm-delete"), unapproved.err());

        Result one = run(dir, "export", "cronjob", "prune.yaml", "--schedule", "@daily", "--approve", "confirm-delete");
        assertEquals(0, one.code(), one.err());
        CronJob cj = (CronJob) parse(one.out()).get(2);
        assertEquals(List.of("run", "/runbooks/prune.yaml", "--approve", "confirm-delete"),
                cj.getSpec().getJobTemplate().getSpec().getTemplate().getSpec().getContainers().get(0).getArgs());
        assertFalse(one.err().contains("'confirm-delete' needs approval"), one.err());
        assertTrue(one.err().contains("step 'confirm-notify' needs approval and is not approved"), one.err());

        Result typo = run(dir, "export", "cronjob", "prune.yaml", "--schedule", "@daily", "--approve", "confirm-delet");
        assertEquals(ExitCodes.INVALID, typo.code());
        assertTrue(typo.err().contains("--approve confirm-delet: prune.yaml has no step 'confirm-delet'"), typo.err());
        assertTrue(typo.err().contains("did you mean `confirm-delete`?") && typo.err().contains("nothing was exported"), typo.err());
        assertEquals("", typo.out(), "a refused export printed objects");
    }

    @Test
    void badScheduleUnknownInputAndBadNameAreRefusedWithExitCode2() {
        Result badSchedule = run(REPO, "export", "cronjob", "runbooks/backup.yaml", "--schedule", "0 2 * *");
        assertEquals(ExitCodes.INVALID, badSchedule.code());
        assertTrue(badSchedule.err().contains("five fields"), badSchedule.err());
        assertEquals("", badSchedule.out());

        Result tz = run(REPO, "export", "cronjob", "runbooks/backup.yaml", "--schedule", "CRON_TZ=UTC 0 2 * * *");
        assertEquals(ExitCodes.INVALID, tz.code());
        assertTrue(tz.err().contains("--time-zone"), tz.err());

        Result input = run(REPO, "export", "cronjob", "runbooks/backup.yaml", "--schedule", "0 2 * * *", "--input", "bucket=x");
        assertEquals(ExitCodes.INVALID, input.code());
        assertTrue(input.err().contains("no input 'bucket'") && input.err().contains("location"), input.err());

        Result name = run(REPO, "export", "cronjob", "runbooks/backup.yaml", "--schedule", "0 2 * * *", "--name", "Nightly_Backup");
        assertEquals(ExitCodes.INVALID, name.code());
        assertTrue(name.err().contains("--name 'Nightly_Backup'"), name.err());

        Result help = run(REPO, "export", "cronjob", "--help");
        assertEquals(ExitCodes.OK, help.code(), help.err());
        assertTrue(help.out().contains("--schedule=CRON") && help.out().contains("kubectl apply -f -"), help.out());

        Result nothing = run(REPO, "export");
        assertEquals(ExitCodes.INVALID, nothing.code());
        assertTrue(nothing.err().contains("runbook export cronjob RUNBOOK --schedule"), nothing.err());

        Result missing = run(REPO, "export", "cronjob", "runbooks/backup.yaml");
        assertEquals(ExitCodes.INVALID, missing.code());
        assertTrue(missing.err().contains("--schedule"), missing.err());
    }

    @Test
    void fileSecretsAreNotExportedAndTheUserIsTold(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("notify.yaml"), """
                name: notify
                secrets:
                  hook: { file: secrets/hook }
                  token: { env: API_TOKEN }
                steps:
                  - id: post
                    uses: http-check.request
                    with: { url: "${{ secrets.hook }}" }
                """);
        Result r = run(dir, "export", "cronjob", "notify.yaml", "--schedule", "*/15 * * * *");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("secret 'hook' is read from the file secrets/hook"), r.err());
        assertTrue(r.err().contains("API_TOKEN"), r.err());
        ConfigMap cm = (ConfigMap) parse(r.out()).get(1);
        assertEquals(List.of("notify.yaml"), List.copyOf(cm.getData().keySet()), "only the runbook, never a secret file");
    }
}
