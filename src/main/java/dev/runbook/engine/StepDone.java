package dev.runbook.engine;

import java.util.Map;

/** One finished step, handed from its thread to the scheduler. */
record StepDone(String id, Outcome outcome, Map<String, Object> outputs) {
}
