package dev.runbook.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** The options that give a runbook its inputs; shared by {@code plan}, {@code run} and {@code resume}. */
final class InputOptions {

    @Option(names = "--input", paramLabel = "NAME=VALUE", description = "set an input (repeatable)")
    Map<String, String> inputs;

    @Option(names = "--inputs", paramLabel = "FILE", description = "a YAML file of inputs")
    Path inputsFile;

    boolean given() {
        return inputs != null || inputsFile != null;
    }
}
