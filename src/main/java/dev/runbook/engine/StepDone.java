package dev.runbook.engine;

/** One finished step (its id within its section), handed from its thread to the scheduler. */
record StepDone(String id, StepEnd end) {
}
