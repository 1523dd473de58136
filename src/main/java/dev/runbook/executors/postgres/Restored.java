package dev.runbook.executors.postgres;

/** What a restore read: the SHA-256 and size of the stored bytes. */
record Restored(String sha256, long bytes) {
}
