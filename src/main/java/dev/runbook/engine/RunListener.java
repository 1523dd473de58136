package dev.runbook.engine;

import java.time.Duration;

/**
 * What the engine reports while it runs, already masked. The CLI renders it (live on a
 * terminal, plain lines otherwise); tests record it.
 */
public interface RunListener {

    default void runStarted(String runId, String runbook, String target, boolean resumed) {
    }

    default void stepStarted(String stepId, String description, int attempt, int attempts) {
    }

    default void stepLog(String stepId, String level, String line) {
    }

    default void stepProgress(String stepId, String what, long done, long total) {
    }

    default void stepFinished(String stepId, Outcome outcome, Duration took, String message) {
    }

    default void note(String message) {
    }

    default void runFinished(RunResult result) {
    }

    RunListener NONE = new RunListener() {
    };
}
