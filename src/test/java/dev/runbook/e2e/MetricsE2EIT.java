package dev.runbook.e2e;

import dev.runbook.testsupport.Exec;
import dev.runbook.testsupport.PostgresCluster;
import dev.runbook.testsupport.PushgatewayServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freshness metrics from real runs of backup.yaml and restore-drill.yaml, pushed to a real
 * Pushgateway (Debian's prometheus-pushgateway, started here on a free port) and written to a
 * textfile directory; the alert rules in docs/prometheus/alerts.yml are then tested with
 * Debian's promtool against exactly the series the Pushgateway serves (names and labels as
 * scraped; each success timestamp rebased to the test's time 0, since promtool's clock starts at 0).
 */
class MetricsE2EIT {

    private static final String ALERTS = Path.of(System.getProperty("basedir", System.getProperty("user.dir")))
            .resolve("docs/prometheus").toString();
    private static PostgresCluster pg;
    private static PushgatewayServer pushgateway;
    private static String gateway;

    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/prometheus-pushgateway")),
                "needs Debian's prometheus-pushgateway (scripts/setup-services.sh installs it)");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/promtool")), "needs Debian's prometheus (promtool)");
        pg = PostgresCluster.shared();
        pushgateway = PushgatewayServer.start("127.0.0.1");
        gateway = pushgateway.url();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (pushgateway != null) {
            pushgateway.close();
        }
    }

    private static HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return pushgateway.get(path);
    }

    /** Every sample of the metric on the Pushgateway: its label set, exactly as served, and value. */
    private static Map<String, Double> scrape(String metric) throws Exception {
        return pushgateway.scrape(metric);
    }

    private static double only(String metric, String database) throws Exception {
        List<Double> values = scrape(metric).entrySet().stream()
                .filter(e -> e.getKey().contains("database=\"" + database + "\"")).map(Map.Entry::getValue).toList();
        assertEquals(1, values.size(), metric + " for " + database + ": " + values);
        return values.get(0);
    }

    private RunbookCli cli(String name) {
        return new RunbookCli(work).env("PGHOST", pg.host()).env("PGPORT", Integer.toString(pg.port()))
                .env("PGUSER", pg.superuser()).env("PGPASSWORD", RunbookCli.E2E_PASSWORD)
                .env("RUNBOOK_PUSHGATEWAY", gateway)
                .env("RUNBOOK_METRICS_DIR", work.resolve("textfile").toString());
    }

    @Test
    void backupAndDrillMetricsReachThePushgatewayAndTheAlertRulesFireOnThem() throws Exception {
        String db = "metrics_shop";
        ShopData.create(pg, db, 200);
        String location = "file://" + work.resolve("backups") + "/";
        RunbookCli cli = cli(db);

        double before = System.currentTimeMillis() / 1000.0;
        RunbookCli.Result backup = cli.runbookRun("backup", "location", location, "database", db, "name", db);
        assertEquals(0, backup.exitCode(), backup::toString);
        RunbookCli.Result drill = cli.run("run", RunbookCli.runbook("restore-drill"), "--approve", "drop-scratch",
                "--input", "location=" + location, "--input", "name=" + db);
        assertEquals(0, drill.exitCode(), drill::toString);
        assertTrue(backup.out().contains("✓ metrics ") && drill.out().contains("✓ metrics "), () -> backup + "\n" + drill);
        double after = System.currentTimeMillis() / 1000.0;

        double lastBackup = only("runbook_backup_last_success_timestamp_seconds", db);
        assertTrue(lastBackup >= before && lastBackup <= after, "pushed during the run: " + lastBackup);
        assertEquals(1.0, only("runbook_backup_last_run_success", db));
        assertEquals(1200.0, only("runbook_backup_rows", db), "200 customers + 1000 orders");
        assertEquals(Double.parseDouble(backup.requireOutput("size")), only("runbook_backup_bytes", db));
        double duration = only("runbook_backup_duration_seconds", db);
        assertTrue(duration > 0 && duration < after - before + 1, "duration " + duration);
        double lastDrill = only("runbook_drill_last_success_timestamp_seconds", db);
        assertTrue(lastDrill >= lastBackup && lastDrill <= after);
        assertEquals(Double.parseDouble(drill.requireOutput("recovery_time_ms")) / 1000.0,
                only("runbook_drill_recovery_seconds", db), 0.001);
        assertEquals(1200.0, only("runbook_drill_rows", db));
        String labels = scrape("runbook_backup_last_success_timestamp_seconds").keySet().stream()
                .filter(k -> k.contains(db)).findFirst().orElseThrow();
        assertTrue(labels.contains("job=\"backup\"") && labels.contains("instance=\"" + db + "\""), labels);

        // the same run also wrote the node-exporter textfile, atomically (no temporary file left)
        Path textfile = work.resolve("textfile").resolve("runbook_backup_" + db + ".prom");
        assertTrue(Files.readString(textfile).contains("runbook_backup_last_success_timestamp_seconds{database=\"" + db + "\"}"));
        try (var files = Files.list(work.resolve("textfile"))) {
            assertEquals(List.of("runbook_backup_" + db + ".prom", "runbook_drill_" + db + ".prom"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }

        // a failed night: the failure is recorded, the last success time is kept (POST, not PUT)
        RunbookCli.Result failed = cli.runbookRun("backup", "location", location, "database", "no_such_database", "name", db);
        assertEquals(1, failed.exitCode(), failed::toString);
        assertEquals(0.0, only("runbook_backup_last_run_success", db));
        assertEquals(lastBackup, only("runbook_backup_last_success_timestamp_seconds", db));
        assertTrue(only("runbook_backup_last_failure_timestamp_seconds", db) >= lastBackup);
        String text = Files.readString(textfile);
        assertTrue(text.contains("runbook_backup_last_run_success{database=\"" + db + "\"} 0"), text);
        assertTrue(text.contains("runbook_backup_last_success_timestamp_seconds{database=\"" + db + "\"}"), text);

        // the alert rules, on the series exactly as the Pushgateway serves them
        String backupSeries = "runbook_backup_last_success_timestamp_seconds" + labels;
        String drillSeries = "runbook_drill_last_success_timestamp_seconds" + scrape("runbook_drill_last_success_timestamp_seconds")
                .keySet().stream().filter(k -> k.contains(db)).findFirst().orElseThrow();
        Path test = work.resolve("real-series.test.yml");
        Files.writeString(test, """
                rule_files: [ %s/alerts.yml ]
                evaluation_interval: 1m
                tests:
                  - interval: 1m
                    input_series:
                      - series: '%s'
                        values: '0x1700'
                      - series: '%s'
                        values: '0x12000'
                    alert_rule_test:
                      - { eval_time: 25h, alertname: PostgresBackupTooOld, exp_alerts: [] }
                      - eval_time: 27h
                        alertname: PostgresBackupTooOld
                        exp_alerts:
                          - exp_labels: { severity: critical, database: %s }
                            exp_annotations:
                              summary: "No successful backup of %s for 26 h"
                              description: "The last successful backup of %s is 1d 3h 0m 0s old. Look at the last backup run: `runbook runs` / `runbook show last` on the backup host or the CronJob's logs; run runbooks/backup.yaml by hand once fixed."
                      - { eval_time: 7d, alertname: PostgresRestoreDrillTooOld, exp_alerts: [] }
                      - eval_time: 8d1h
                        alertname: PostgresRestoreDrillTooOld
                        exp_alerts:
                          - exp_labels: { severity: warning, database: %s }
                            exp_annotations:
                              summary: "No successful restore drill of %s for 8 days"
                              description: "The last successful restore drill is 8d 1h 0m 0s old: nobody knows whether the backups restore. Run runbooks/restore-drill.yaml."
                """.formatted(ALERTS, backupSeries, drillSeries, db, db, db, db, db, db));
        Exec.Result promtool = Exec.run(List.of("/usr/bin/promtool", "test", "rules", test.toString()), Map.of(), work,
                Duration.ofSeconds(120));
        assertTrue(promtool.ok(), promtool.stdout() + promtool.stderr());
    }

    @Test
    void theShippedRulesAndTheirTestsPassPromtool() {
        Exec.Result check = Exec.run(List.of("/usr/bin/promtool", "check", "rules", ALERTS + "/alerts.yml"), Map.of(),
                Path.of(ALERTS), Duration.ofSeconds(60));
        assertTrue(check.ok(), check.stdout() + check.stderr());
        Exec.Result test = Exec.run(List.of("/usr/bin/promtool", "test", "rules", ALERTS + "/alerts.test.yml"), Map.of(),
                Path.of(ALERTS), Duration.ofSeconds(120));
        assertTrue(test.ok(), test.stdout() + test.stderr());
    }
}
