package dev.runbook.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Loads (without initialising) every class named in {@code cds-classes.txt} (beside this class;
 * scripts/cds-classes.sh makes it), so that a JVM started with {@code -XX:ArchiveClassesAtExit}
 * archives them all. bin/runbook runs it once after a build: the archive then holds what
 * validate, plan and the runs of backup, restore and full-restore load (engine, S3, PostgreSQL
 * and Docker clients), whichever command happens to run first. Initialising nothing means no
 * side effects: no connection, no file, no thread.
 */
public final class ClassListTraining {

    private ClassListTraining() {
    }

    public static void main(String[] args) throws IOException {
        ClassLoader loader = ClassListTraining.class.getClassLoader();
        int loaded = 0;
        try (InputStream in = ClassListTraining.class.getResourceAsStream("cds-classes.txt")) {
            if (in == null) {
                throw new IOException("cds-classes.txt is missing from the jar");
            }
            BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank() || line.startsWith("#") || line.startsWith("@")) {
                    continue;
                }
                try {
                    Class.forName(line.split(" ", 2)[0].replace('/', '.'), false, loader);
                    loaded++;
                } catch (ClassNotFoundException | LinkageError e) {
                    // a stale entry (class renamed or removed): only start-up time is affected
                }
            }
        }
        System.out.println(loaded + " classes loaded for the archive");
    }
}
