package dev.runbook.cli;

import dev.runbook.export.ClusterDiscovery;
import dev.runbook.export.CronJobApi;
import dev.runbook.export.CronJobExport;
import dev.runbook.export.CronJobRequest;
import dev.runbook.model.SecretDef;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.registry.ExecutorRegistry;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import dev.runbook.plan.Plan;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code runbook export ...}: a runbook turned into what runs it somewhere else. Today one form:
 * {@code export cronjob}, the Kubernetes objects that run a runbook on a schedule.
 */
@Command(name = "export", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = "Export a runbook as something that runs it elsewhere (Kubernetes CronJob).")
final class ExportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    /** The command with its subcommands, each given the CLI's streams and the executor registry. */
    static CommandLine create(Cli cli, ExecutorRegistry registry) {
        return new CommandLine(new ExportCommand()).addSubcommand(new CronJobCommand(cli, registry));
    }

    @Override
    public Integer call() {
        throw new CommandLine.ParameterException(spec.commandLine(), "say what to export: runbook export cronjob RUNBOOK --schedule \"0 2 * * *\"");
    }

    /** {@code runbook export cronjob RUNBOOK --schedule CRON}: ServiceAccount + ConfigMap + CronJob as YAML. */
    @Command(name = "cronjob", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class, description = {
            "Print a Kubernetes CronJob (with a ConfigMap holding the runbook and a ServiceAccount) that runs",
            "`runbook run /runbooks/<file> --yes` on a schedule. Apply it with: runbook export cronjob ... | kubectl apply -f -"})
    static final class CronJobCommand implements Callable<Integer> {

        private static final Pattern ENV_READ = Pattern.compile("\\benv\\.([A-Za-z_][A-Za-z0-9_]*)");

        private final Cli cli;
        private final ExecutorRegistry registry;

        @Parameters(index = "0", paramLabel = "RUNBOOK")
        Path file;

        @Option(names = "--schedule", required = true, paramLabel = "CRON", description = "cron schedule, e.g. \"0 2 * * *\" (02:00 daily)")
        String schedule;

        @Option(names = "--time-zone", paramLabel = "ZONE", description = "IANA time zone of the schedule (default: the cluster's, usually UTC)")
        String timeZone;

        @Option(names = "--name", paramLabel = "NAME", description = "name of the CronJob, ConfigMap and ServiceAccount (default: runbook-<runbook name>)")
        String name;

        @Option(names = "--namespace", paramLabel = "NS", description = "namespace to write into the objects (default: none, use kubectl -n)")
        String namespace;

        @Option(names = "--image", defaultValue = "runbook:dev", paramLabel = "IMAGE", description = "runbook image (default: ${DEFAULT-VALUE}, built by `docker build -t runbook:dev .`)")
        String image;

        @Option(names = "--secret", defaultValue = "backup-credentials", paramLabel = "NAME",
                description = "Secret whose keys become environment variables: BACKUP_BUCKET, PG*, AWS_* (default: ${DEFAULT-VALUE})")
        String secret;

        @Option(names = "--api-version", paramLabel = "VERSION", description = {
                "batch/v1 (Kubernetes 1.21+) or batch/v1beta1 (1.20 and older).",
                "Default: asked from the cluster of the current kubeconfig context when it answers, else batch/v1"})
        String apiVersion;

        @Option(names = "--input", paramLabel = "NAME=VALUE", description = "an input passed to the scheduled run (repeatable; not for secrets)")
        Map<String, String> inputs;

        @Option(names = "--approve", paramLabel = "STEP", description = {
                "approve this step in every scheduled run (repeatable): the job has no terminal to ask,",
                "so a step that needs approval and is not named here fails the run"})
        List<String> approve;

        CronJobCommand(Cli cli, ExecutorRegistry registry) {
            this.cli = cli;
            this.registry = registry;
        }

        @Override
        public Integer call() {
            ValidRunbook valid = Runbooks.load(cli, registry, file);
            Map<String, String> given = inputs == null ? Map.of() : inputs;
            for (String input : given.keySet()) {
                if (!valid.runbook().inputs().containsKey(input)) {
                    throw new CliException(ExitCodes.INVALID, "--input " + input + ": " + file + " has no input '" + input
                            + "'; its inputs are " + valid.runbook().inputs().keySet());
                }
            }
            List<String> approved = approve == null ? List.of() : List.copyOf(new java.util.LinkedHashSet<>(approve));
            java.util.Set<String> ids = new java.util.TreeSet<>();
            stepIds(valid, "", ids);
            for (String step : approved) {
                if (!ids.contains(step)) {
                    throw new CliException(ExitCodes.INVALID, "--approve " + step + ": " + file + " has no step '" + step
                            + "'" + hint(step, ids) + "; nothing was exported");
                }
            }
            Path dir = valid.runbook().file().getParent();
            Map<String, String> files = new LinkedHashMap<>();
            collect(valid, dir, files);
            CronJobApi.Decision api = CronJobApi.decide(apiVersion,
                    apiVersion == null ? ClusterDiscovery.probe(cli.env()) : java.util.Optional.empty(), timeZone);
            CronJobRequest request = new CronJobRequest(
                    name != null ? name : defaultName(valid.runbook().name()),
                    namespace, schedule, timeZone, image, secret, files, given, api.apiVersion(), approved);
            List<String> problems = new java.util.ArrayList<>(CronJobExport.problems(request));
            if (api.problem() != null && !problems.contains(api.problem())) {
                problems.add(api.problem());
            }
            if (!problems.isEmpty()) {
                throw new CliException(ExitCodes.INVALID, String.join("\n", problems) + "\nNothing was exported.");
            }
            cli.out().print(CronJobExport.yaml(request));
            cli.out().flush();
            cli.err().println("runbook: " + api.note());
            adviseApprovals(valid, given, approved);
            advise(valid);
            return ExitCodes.OK;
        }

        /**
         * Names the steps that need approval and were not approved: the scheduled run would fail
         * there every night. Found from a plan with this shell's environment; when the plan cannot
         * be made here (inputs given only in the cluster), says that it could not check.
         */
        private void adviseApprovals(ValidRunbook valid, Map<String, String> given, List<String> approved) {
            java.util.Set<String> needing = new java.util.TreeSet<>();
            try {
                Plan plan = PlanCommand.make(cli, valid, new LinkedHashMap<>(given), null, false);
                needsApproval(plan.sections(), needing);
            } catch (CliException e) {
                cli.err().println("runbook: could not plan " + file + " here to check which steps need approval;"
                        + " a step that needs approval runs in the CronJob only when named with --approve STEP");
                return;
            }
            needing.removeAll(approved);
            for (String step : needing) {
                cli.err().println("runbook: step '" + step + "' needs approval and is not approved: the scheduled run"
                        + " fails there. After review, export again with --approve " + step);
            }
        }

        private static void needsApproval(List<Plan.PlannedSection> sections, java.util.Set<String> out) {
            for (Plan.PlannedSection section : sections) {
                for (List<Plan.PlannedStep> wave : section.waves()) {
                    for (Plan.PlannedStep step : wave) {
                        if (step.needsApproval()) {
                            out.add(step.id());
                        }
                        needsApproval(step.calls(), out);
                    }
                }
            }
        }

        /** Every step id as --approve names it: {@code step}, and {@code caller/step} inside a called runbook. */
        private static void stepIds(ValidRunbook valid, String prefix, java.util.Set<String> ids) {
            for (Map.Entry<String, ValidRunbook.BoundStep> e : valid.steps().entrySet()) {
                ids.add(prefix + e.getKey());
                if (e.getValue().called() != null) {
                    stepIds(e.getValue().called(), prefix + e.getKey() + "/", ids);
                }
            }
        }

        private static String hint(String step, java.util.Set<String> ids) {
            String near = dev.runbook.model.DidYouMean.hint(step, ids);
            return near != null ? " (" + near + ")" : "";
        }

        static String defaultName(String runbookName) {
            String n = ("runbook-" + runbookName).toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
            n = n.length() > 52 ? n.substring(0, 52) : n;
            return n.replaceAll("-+$", "");
        }

        /** The runbook and every runbook it calls, by path relative to the runbook's directory. */
        private void collect(ValidRunbook valid, Path dir, Map<String, String> files) {
            Path rel = dir.relativize(valid.runbook().file()).normalize();
            if (rel.startsWith("..")) {
                throw new CliException(ExitCodes.INVALID, "cannot export " + valid.runbook().file() + ": a called runbook must be in "
                        + dir + " or below it, so that it can be mounted beside the runbook");
            }
            String key = rel.toString().replace(java.io.File.separatorChar, '/');
            if (files.putIfAbsent(key, valid.source()) != null) {
                return;
            }
            for (ValidRunbook.BoundStep step : valid.steps().values()) {
                if (step.called() != null) {
                    collect(step.called(), dir, files);
                }
            }
        }

        /**
         * On stderr (stdout is the YAML): which variables the Secret must hold, and which
         * file-based secrets are not exported (a ConfigMap is no place for them).
         */
        private void advise(ValidRunbook valid) {
            TreeSet<String> vars = new TreeSet<>();
            Matcher m = ENV_READ.matcher(valid.source());
            while (m.find()) {
                vars.add(m.group(1));
            }
            for (SecretDef s : valid.runbook().secrets().values()) {
                if (s.env() != null) {
                    vars.add(s.env());
                } else if (s.file() != null) {
                    cli.err().println("runbook: secret '" + s.name() + "' is read from the file " + s.file()
                            + "; it is not exported: mount it into the pod yourself from a Kubernetes Secret");
                }
            }
            if (!vars.isEmpty()) {
                cli.err().println("runbook: the runbook reads " + String.join(", ", vars) + " (the tools also read PGPASSWORD, and the AWS SDK AWS_REGION and its credential chain);"
                        + " put them in the Secret '" + secret + "' in the same namespace.");
            }
            cli.err().flush();
        }
    }
}
