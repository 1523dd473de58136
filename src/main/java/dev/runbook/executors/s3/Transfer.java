package dev.runbook.executors.s3;

import dev.runbook.spi.Sha256;
import dev.runbook.spi.StepContext;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Copies a stream while computing its SHA-256 and reporting progress. */
final class Transfer {

    private static final int BUFFER = 256 * 1024;
    private static final long PROGRESS_EVERY = 8L * 1024 * 1024;

    private Transfer() {
    }

    /** What went through: bytes and their SHA-256 in lower-case hex. */
    record Result(long size, String sha256) {
    }

    /**
     * @param out   where to write, or null to only hash (verify)
     * @param total expected size for the progress display, or -1
     */
    static Result copy(InputStream in, OutputStream out, StepContext context, String what, long total) throws IOException {
        MessageDigest sha = Sha256.digest();
        byte[] buffer = new byte[BUFFER];
        long done = 0;
        long nextReport = 0;
        int n;
        while ((n = in.read(buffer)) >= 0) {
            if (context.cancelled()) {
                throw new InterruptedIOException(what + " cancelled after " + done + " bytes");
            }
            sha.update(buffer, 0, n);
            if (out != null) {
                out.write(buffer, 0, n);
            }
            done += n;
            if (done >= nextReport) {
                context.log().progress(what, done, total);
                nextReport = done + PROGRESS_EVERY;
            }
        }
        context.log().progress(what, done, total);
        return new Result(done, Sha256.hex(sha));
    }


}
