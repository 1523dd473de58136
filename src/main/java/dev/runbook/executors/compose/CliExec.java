package dev.runbook.executors.compose;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exec with a file on stdin, through the Docker CLI ({@code docker exec -i}) because stdin sent
 * into a docker-java exec never reaches end-of-file, so the command would wait forever.
 * Environment values go as {@code -e NAME} with the value in the CLI's own environment.
 */
final class CliExec {

    private CliExec() {
    }

    static long run(String containerId, List<String> command, Map<String, String> env, String user, String workdir,
                    Path input, CommandOutput output, StepContext context) throws StepFailure, InterruptedException {
        String path = context.env().getOrDefault("PATH", "");
        Path docker = ComposeCli.onPath("docker", path).orElseThrow(() -> new StepFailure(
                "feeding " + input.getFileName() + " to a command needs the docker CLI (`docker exec -i`), "
                        + "which is not on PATH=" + path + "; install docker.io (or docker-ce-cli)", false, null));
        if (!Files.isRegularFile(input)) {
            throw new StepFailure("input file " + input + " does not exist", false, null);
        }
        List<String> argv = new ArrayList<>(List.of(docker.toString(), "exec", "-i"));
        for (String name : env.keySet()) {
            argv.add("-e");
            argv.add(name); // value taken from the CLI's environment, not argv
        }
        if (user != null) {
            argv.add("--user");
            argv.add(user);
        }
        if (workdir != null) {
            argv.add("--workdir");
            argv.add(workdir);
        }
        argv.add(containerId);
        argv.addAll(command);
        ChildProcess.Result result = ChildProcess.of(argv)
                .env(context.env())
                .env(env)
                .stdin(out -> Files.copy(input, out))
                .stdout(in -> ComposeCli.readLines(in, output))
                .run(new ForwardingLog(output, context));
        return result.exitCode();
    }

    /** stderr lines of the CLI go to the same output as stdout. */
    private record ForwardingLog(CommandOutput output, StepContext context) implements dev.runbook.spi.StepLog {
        @Override public void info(String message) { context.log().info(message); }
        @Override public void warn(String message) { context.log().warn(message); }
        @Override public void output(String line) { output.accept(line); }
        @Override public void progress(String what, long done, long total) { context.log().progress(what, done, total); }
    }
}
