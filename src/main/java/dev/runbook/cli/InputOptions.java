package dev.runbook.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;

/** The options that choose what a runbook runs with; shared by {@code plan} and {@code run}. */
final class InputOptions {

    @Option(names = "--input", paramLabel = "NAME=VALUE", description = "set an input (repeatable)")
    Map<String, String> inputs;

    @Option(names = "--inputs", paramLabel = "FILE", description = "a YAML file of inputs")
    Path inputsFile;

    @Option(names = "--target", description = "compose, kubernetes or local (default: the runbook's)")
    String target;
}
