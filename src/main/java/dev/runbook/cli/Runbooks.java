package dev.runbook.cli;

import dev.runbook.model.InvalidRunbookException;
import dev.runbook.model.Problem;
import dev.runbook.parse.RunbookLoader;
import dev.runbook.parse.ValidRunbook;
import dev.runbook.parse.YamlTree;
import dev.runbook.registry.ExecutorRegistry;
import dev.runbook.spi.Counts;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Loading runbooks and inputs for the commands, with problems turned into exit code 2. */
final class Runbooks {

    private Runbooks() {
    }

    static ValidRunbook load(Cli cli, ExecutorRegistry registry, Path file) {
        try {
            return new RunbookLoader(registry).load(cli.resolve(file));
        } catch (InvalidRunbookException e) {
            throw invalid(e.problems(), file + " is not a valid runbook");
        }
    }

    static CliException invalid(List<Problem> problems, String headline) {
        return invalid(problems, "", headline);
    }

    /** The same, with text (every input of the runbook, ...) between the problems and the headline. */
    static CliException invalid(List<Problem> problems, String between, String headline) {
        StringBuilder out = new StringBuilder();
        for (Problem p : problems) {
            out.append(p.format()).append('\n');
        }
        out.append(between);
        out.append(headline).append(": ").append(Counts.of(problems.size(), "problem")).append(". Nothing was run.");
        return new CliException(ExitCodes.INVALID, out.toString());
    }

    /**
     * Inputs from, in rising priority: {@code RUNBOOK_INPUT_<NAME>} variables, the
     * {@code --inputs} file, then each {@code --input name=value}.
     */
    static Map<String, Object> inputs(Cli cli, InputOptions options, ValidRunbook valid) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (String name : valid.runbook().inputs().keySet()) {
            String v = cli.env().get("RUNBOOK_INPUT_" + name.toUpperCase(Locale.ROOT));
            if (v != null) {
                values.put(name, v);
            }
        }
        values.putAll(given(cli, options));
        return values;
    }

    /** Inputs given on the command line only: the {@code --inputs} file, then each {@code --input name=value}. */
    static Map<String, Object> given(Cli cli, InputOptions options) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (options.inputsFile != null) {
            Path file = cli.resolve(options.inputsFile);
            String what = "--inputs " + options.inputsFile;
            YamlTree.Result r = YamlTree.parse(file.toString(), text(file, what));
            if (!r.problems().isEmpty()) {
                throw invalid(r.problems(), what + " is not valid YAML");
            }
            if (!(r.tree().root() instanceof Map<?, ?> m)) {
                throw new CliException(ExitCodes.INVALID, what + " must be a mapping of input names to values (name: value lines)");
            }
            m.forEach((k, v) -> values.put(String.valueOf(k), v));
        }
        values.putAll(options.inputs());
        return values;
    }

    /**
     * A file given on the command line (an inputs file, a saved plan) as UTF-8 text; what is
     * wrong with it in words: no such file, a directory, not readable, a byte that is not UTF-8
     * (with its line and column).
     *
     * @param what how the user gave it, e.g. {@code --plan plan.json}
     */
    static String text(Path file, String what) {
        if (Files.isDirectory(file)) {
            throw new CliException(ExitCodes.INVALID, what + ": is a directory, not a file");
        }
        try {
            return RunbookLoader.utf8(file.toString(), Files.readAllBytes(file));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new CliException(ExitCodes.INVALID, what + ": no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new CliException(ExitCodes.INVALID, what + ": permission denied");
        } catch (IOException e) {
            throw new CliException(ExitCodes.INVALID, what + ": cannot be read (" + e.getMessage() + ")");
        } catch (InvalidRunbookException e) {
            throw invalid(e.problems(), what + " is not UTF-8 text");
        }
    }
}
