package dev.runbook.executors.postgres;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** The one copy loop of dumps and restores: cancellable, with a progress line every 8 MiB. */
final class Streams {

    private static final long PROGRESS_EVERY = 8L << 20;

    private Streams() {
    }

    /**
     * Copies until the end of {@code in}; checks for cancellation between buffers.
     *
     * @param cancelled the failure message when the step is cancelled mid-copy
     * @return the bytes copied
     */
    static long copy(InputStream in, OutputStream out, String what, String cancelled, StepContext ctx)
            throws IOException, StepFailure {
        byte[] buf = new byte[256 * 1024];
        long done = 0;
        long nextReport = PROGRESS_EVERY;
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (ctx.cancelled()) {
                throw new StepFailure(cancelled, false, null);
            }
            out.write(buf, 0, n);
            done += n;
            if (done >= nextReport) {
                ctx.log().progress(what, done, -1);
                nextReport += PROGRESS_EVERY;
            }
        }
        // the end of a stream is not the end of the work: a killed pg_dump ends its output too, so
        // only the caller, once it knows the result is complete, may report 100%
        ctx.log().progress(what, done, -1);
        return done;
    }
}
