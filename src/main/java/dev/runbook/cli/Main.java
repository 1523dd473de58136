package dev.runbook.cli;

import dev.runbook.registry.ExecutorRegistry;
import picocli.CommandLine;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** The {@code runbook} command. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        LibraryLogging.configure();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Cli cli = new Cli(out, err, in, System.getenv(), Path.of("").toAbsolutePath(), System.console() != null);
        int code = run(cli, args);
        out.flush();
        err.flush();
        System.exit(code);
    }

    /** Runs one command line; the exit code follows {@link ExitCodes}. */
    public static int run(Cli cli, String... args) {
        ExecutorRegistry registry;
        try {
            registry = ExecutorRegistry.load();
        } catch (RuntimeException e) {
            cli.err().println("runbook: cannot load executors: " + e.getMessage());
            return ExitCodes.INTERNAL;
        }
        CommandLine cmd = new CommandLine(new RunbookCommand(cli));
        cmd.addSubcommand(new ValidateCommand(cli, registry));
        cmd.addSubcommand(new PlanCommand(cli, registry));
        cmd.addSubcommand(new RunCommand(cli, registry));
        cmd.addSubcommand(new ResumeCommand(cli, registry));
        cmd.addSubcommand(new RunsCommand(cli));
        cmd.addSubcommand(new ShowCommand(cli));
        cmd.addSubcommand(new ReportCommand(cli));
        cmd.addSubcommand(new BackupsCommand(cli));
        cmd.addSubcommand(new GraphCommand(cli, registry));
        cmd.addSubcommand(new ExecutorsCommand(cli, registry));
        cmd.addSubcommand(new SchemaCommand(cli, registry));
        cmd.addSubcommand(ExportCommand.create(cli, registry));
        cmd.setOut(cli.out());
        cmd.setErr(cli.err());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                cli.err().println(c.getMessage());
                return c.exitCode();
            }
            cli.err().println("runbook: internal error: " + e);
            cli.err().println("This is a bug in runbook. Please report it with the command you ran"
                    + " (and the run's journal, `runbook show RUN --json`, which holds no secrets).");
            return ExitCodes.INTERNAL;
        });
        cmd.setParameterExceptionHandler((e, args2) -> {
            cli.err().println("runbook: " + e.getMessage());
            cli.err().println("Try 'runbook --help' or 'runbook " + (e.getCommandLine().getCommandName()) + " --help'.");
            return ExitCodes.INVALID;
        });
        return cmd.execute(args);
    }
}
