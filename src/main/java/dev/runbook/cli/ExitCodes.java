package dev.runbook.cli;

/**
 * The exit codes of {@code runbook}, documented in the README. Scripts and CI can rely on them.
 *
 * <pre>
 *   0   success (or a valid runbook / a printed plan)
 *   1   a step failed (the run ended failed or cancelled); resume it with `runbook resume`
 *   2   invalid runbook, inputs or command line; nothing ran
 *   3   internal error (a bug: please report it with the journal)
 *   4   another run of this runbook against this target holds the lock
 *   5   a step needs approval and none was given (--approve STEP or --yes)
 *   6   `runbook plan` found a problem now: a precondition fails, or a --refresh probe failed;
 *       `runbook backups --max-age D`: the newest backup is older than D, or there is none
 *   130 interrupted (Ctrl-C); on-failure and finally ran within the grace period
 *   143 stopped by SIGTERM; likewise
 * </pre>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int STEP_FAILED = 1;
    public static final int INVALID = 2;
    public static final int INTERNAL = 3;
    public static final int LOCKED = 4;
    public static final int NOT_APPROVED = 5;
    /** The plan was printed, but something already fails today (listed under "Problems found"). */
    public static final int PLAN_PROBLEMS = 6;
    /** The newest backup is older than {@code --max-age} (or there is none). */
    public static final int BACKUP_TOO_OLD = 6;
    public static final int INTERRUPTED = 130;
    public static final int TERMINATED = 143;

    private ExitCodes() {
    }
}
