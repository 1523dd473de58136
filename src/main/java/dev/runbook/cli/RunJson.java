package dev.runbook.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.runbook.engine.RunHistory;
import dev.runbook.report.RunRecords;

/** {@code show RUN --json}: the run as one JSON document (docs/run-record.md). */
final class RunJson {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RunJson() {
    }

    static String of(RunHistory.RunSummary run) throws JsonProcessingException {
        return JSON.writeValueAsString(RunRecords.of(run));
    }
}
