package dev.runbook.executors.compose;

import dev.runbook.spi.Params;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;
import dev.runbook.spi.Target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Which Compose project a step works on: its name (the {@code com.docker.compose.project}
 * label its containers carry), its compose files and its project directory. Taken from the
 * step's {@code project}/{@code files} parameters, else from the run's compose target.
 *
 * @param files      absolute paths; empty means Compose's own default file lookup in {@code projectDir}
 * @param projectDir the directory Compose resolves relative paths in the files against
 */
record ComposeProject(String name, List<Path> files, Path projectDir) {

    ComposeProject {
        files = List.copyOf(files);
    }

    static ComposeProject resolve(Params params, StepContext context) throws StepFailure {
        Target target = context.target();
        boolean composeTarget = target != null && "compose".equals(target.kind());
        Path base = context.runbookDir().toAbsolutePath().normalize();

        String name = params.string("project");
        if (name == null && composeTarget) {
            name = target.setting("project", null);
        }
        if (name == null || name.isBlank()) {
            throw new StepFailure("no Compose project name: set `project` on the step or in the runbook's "
                    + "compose target (target settings `project`)", false, null);
        }

        List<String> fileNames = params.has("files") ? params.strings("files") : List.of();
        if (fileNames.isEmpty() && composeTarget) {
            fileNames = settingList(target.settings().get("files"));
        }
        Path projectDir = base;
        if (composeTarget && target.settings().get("project-dir") != null) {
            projectDir = base.resolve(target.setting("project-dir", ".")).normalize();
        }
        List<Path> files = new ArrayList<>();
        for (String f : fileNames) {
            Path p = base.resolve(f).normalize();
            if (!Files.isRegularFile(p)) {
                throw new StepFailure("compose file " + p + " does not exist (project " + name
                        + "; paths are relative to the runbook's directory " + base + ")", false, null);
            }
            files.add(p);
        }
        return new ComposeProject(name, files, projectDir);
    }

    /** The arguments that select this project, placed before every Compose subcommand. */
    List<String> selectorArgs() {
        List<String> args = new ArrayList<>(List.of("-p", name));
        for (Path f : files) {
            args.add("-f");
            args.add(f.toString());
        }
        args.add("--project-directory");
        args.add(projectDir.toString());
        return args;
    }

    /** For the plan's list of what a run touches: the project, its files and directory. */
    String display() {
        return "Docker Compose project " + name + " (files " + (files.isEmpty() ? "Compose's default in " + projectDir
                : String.join(", ", files.stream().map(Path::toString).toList())) + "; directory " + projectDir + ")";
    }

    /** For plans: the project as the step names it, or a pointer to the target (pure). */
    static String display(Params params) {
        return params.has("project") ? "compose project " + params.display("project")
                : "the target's compose project";
    }

    private static List<String> settingList(Object value) {
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> l) {
            return l.stream().map(String::valueOf).toList();
        }
        return List.of(String.valueOf(value));
    }
}
