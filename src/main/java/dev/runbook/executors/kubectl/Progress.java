package dev.runbook.executors.kubectl;

/**
 * Where a rollout or Job stands, as read from its status.
 *
 * @param state   pending, done or failed
 * @param summary one line for the step log ("2 of 3 updated replicas available")
 * @param done    units done for a progress bar (replicas, completions)
 * @param total   units wanted
 */
record Progress(State state, String summary, long done, long total) {

    enum State { PENDING, DONE, FAILED }

    static Progress pending(String summary, long done, long total) {
        return new Progress(State.PENDING, summary, done, total);
    }

    static Progress done(String summary, long done, long total) {
        return new Progress(State.DONE, summary, done, total);
    }

    static Progress failed(String summary) {
        return new Progress(State.FAILED, summary, 0, 0);
    }
}
