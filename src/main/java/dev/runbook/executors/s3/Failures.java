package dev.runbook.executors.s3;

import dev.runbook.spi.BadParameterException;

import dev.runbook.spi.StepFailure;
import dev.runbook.storage.ArchivedObjectException;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Store errors as step failures: the message already says what to do; retry only where it can help. */
final class Failures {

    private Failures() {
    }

    static StepFailure of(IOException e, String uri) {
        if (e instanceof ArchivedObjectException) {
            return new StepFailure(e.getMessage(), false, e);
        }
        if (e instanceof NoSuchFileException) {
            return new StepFailure("no object at " + uri + "; check the location (s3.list shows what is there)", false, e);
        }
        return new StepFailure(e.getMessage(), true, e);
    }

    static StepFailure badParam(BadParameterException e) {
        return new StepFailure(e.getMessage(), false, e);
    }
}
