package dev.runbook.executors.postgres;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A child process's stdin. A write that fails here means the child stopped reading (psql exits
 * at the first error with ON_ERROR_STOP): that is recorded as such, so the caller tells it apart
 * from a failure of the source it reads from without guessing from an exception's message.
 */
final class ChildInput extends FilterOutputStream {

    /** The child closed its end; its exit code and stderr say why. */
    static final class ChildStoppedReading extends IOException {
        ChildStoppedReading(IOException cause) {
            super("the child process stopped reading its input", cause);
        }
    }

    private boolean stopped;

    ChildInput(OutputStream stdin) {
        super(stdin);
    }

    @Override
    public void write(int b) throws IOException {
        try {
            out.write(b);
        } catch (IOException e) {
            throw stopped(e);
        }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            throw stopped(e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            throw stopped(e);
        }
    }

    private ChildStoppedReading stopped(IOException e) {
        stopped = true;
        return new ChildStoppedReading(e);
    }

    /** True once a write failed because the child no longer reads. */
    boolean stopped() {
        return stopped;
    }
}
