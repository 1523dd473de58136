package dev.runbook.cli;

import picocli.CommandLine.Option;

/** {@code --target}, for the commands that start something new ({@code plan}, {@code run}); a resumed run keeps its target. */
final class TargetOption {

    @Option(names = "--target", description = "compose, kubernetes or local (default: the runbook's)")
    String name;
}
