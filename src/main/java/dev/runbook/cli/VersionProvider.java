package dev.runbook.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar's manifest (set by Maven). */
final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = Main.class.getPackage().getImplementationVersion();
        return new String[] {"runbook " + (v == null ? "development build" : v),
                "Java " + System.getProperty("java.version")};
    }
}
