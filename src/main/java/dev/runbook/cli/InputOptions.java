package dev.runbook.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The options that give a runbook its inputs; shared by {@code plan}, {@code run} and {@code resume}. */
final class InputOptions {

    /** Read as NAME=VALUE here rather than by picocli, so a malformed one is refused in our words. */
    @Option(names = "--input", paramLabel = "NAME=VALUE", description = "set an input (repeatable)")
    List<String> pairs;

    @Option(names = "--inputs", paramLabel = "FILE", description = "a YAML file of inputs")
    Path inputsFile;

    boolean given() {
        return pairs != null || inputsFile != null;
    }

    /** Each {@code --input NAME=VALUE} in order (a later one wins); the value may contain '='. */
    Map<String, String> inputs() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : pairs == null ? List.<String>of() : pairs) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                throw new CliException(ExitCodes.INVALID, "--input " + pair + ": give it as NAME=VALUE, e.g. --input "
                        + (pair.isBlank() ? "bucket" : pair.trim()) + "=...");
            }
            String name = pair.substring(0, eq).trim();
            if (name.isEmpty()) {
                throw new CliException(ExitCodes.INVALID, "--input " + pair + ": the input's name is missing before '='"
                        + " (give it as NAME=VALUE)");
            }
            out.put(name, pair.substring(eq + 1));
        }
        return out;
    }
}
