package dev.runbook.storage.s3;

import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether an object sits in an archive tier and how far a restore of it has come, from the
 * HEAD response's storage class and {@code x-amz-restore} header, e.g.
 * {@code ongoing-request="false", expiry-date="Fri, 21 Dec 2012 00:00:00 GMT"}.
 *
 * @param storageClass      STANDARD, GLACIER, DEEP_ARCHIVE, ...
 * @param restoreInProgress a restore was requested and is still running
 * @param restoredUntil     when the temporary restored copy expires, or null when there is none
 */
public record ArchiveState(String storageClass, boolean restoreInProgress, Instant restoredUntil) {

    private static final Pattern ONGOING = Pattern.compile("ongoing-request=\"(true|false)\"");
    private static final Pattern EXPIRY = Pattern.compile("expiry-date=\"([^\"]+)\"");

    public static ArchiveState of(String storageClass, String restoreHeader) {
        if (restoreHeader == null || restoreHeader.isBlank()) {
            return new ArchiveState(storageClass, false, null);
        }
        Matcher ongoing = ONGOING.matcher(restoreHeader);
        boolean inProgress = ongoing.find() && ongoing.group(1).equals("true");
        Instant until = null;
        Matcher expiry = EXPIRY.matcher(restoreHeader);
        if (!inProgress && expiry.find()) {
            try {
                until = ZonedDateTime.parse(expiry.group(1), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                until = Instant.MAX; // restored; the expiry just could not be read
            }
        }
        return new ArchiveState(storageClass, inProgress, until);
    }

    /** In GLACIER or DEEP_ARCHIVE (the tiers that need a restore before a GET). */
    public boolean archived() {
        return "GLACIER".equals(storageClass) || "DEEP_ARCHIVE".equals(storageClass);
    }

    /** A GET succeeds: not archived, or a restored copy is available. */
    public boolean readable() {
        return !archived() || (!restoreInProgress && restoredUntil != null);
    }
}
