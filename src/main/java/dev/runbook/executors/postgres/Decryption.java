package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code age --decrypt} running beside the restore: the stored bytes go into its stdin, its
 * plaintext comes out of {@link #plaintext()}. It runs on its own thread so that the restore
 * can read the first decrypted bytes before psql starts (a wrong key fails there, before the
 * database is touched) and ask for age's exit code after the last byte, before COMMIT (age
 * authenticates every chunk and the end of the stream; a truncated object fails there).
 */
final class Decryption implements AutoCloseable {

    private final Future<ChildProcess.Result> age;
    private final InputStream plaintext;
    private final String uri;

    private Decryption(Future<ChildProcess.Result> age, InputStream plaintext, String uri) {
        this.age = age;
        this.plaintext = plaintext;
        this.uri = uri;
    }

    static Decryption start(InputStream ciphertext, Age.Identity identity, String uri, StepContext ctx) throws IOException {
        Pipe pipe = Pipe.open();
        OutputStream sink = Channels.newOutputStream(pipe.sink());
        ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "age-decrypt");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<ChildProcess.Result> age = thread.submit(() -> Age.decrypt(identity)
                    .stdin(stdin -> {
                        try {
                            ciphertext.transferTo(new ChildInput(stdin));
                        } catch (ChildInput.ChildStoppedReading e) {
                            // age gave up (a wrong key stops it at the header): its exit code and stderr say why
                        }
                    })
                    .stdout(out -> {
                        try (sink) {
                            out.transferTo(sink);
                        }
                    })
                    .run(ctx.log()));
            return new Decryption(age, Channels.newInputStream(pipe.source()), uri);
        } finally {
            thread.shutdown(); // the one task still runs; the thread ends with it
        }
    }

    /** What age decrypted; ends when age ends, whether it succeeded or not ({@link #finish()} says which). */
    InputStream plaintext() {
        return plaintext;
    }

    /** Waits for age; fails unless it decrypted and authenticated the whole object. */
    void finish() throws StepFailure, InterruptedException {
        ChildProcess.Result result;
        try {
            result = age.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof StepFailure f) {
                throw f;
            }
            throw new StepFailure("age could not decrypt " + uri + ": " + e.getCause().getMessage(), e.getCause());
        }
        if (!result.ok()) {
            throw new StepFailure("age could not decrypt " + uri + " (exit " + result.exitCode() + "): "
                    + PgTools.errorOf(result) + ". The identity does not match the backup's recipients, or the object is"
                    + " damaged; nothing was restored", false, null);
        }
    }

    /** Stops age if it still runs (the restore failed or was cancelled). */
    @Override
    public void close() throws IOException {
        age.cancel(true); // interrupts ChildProcess.run, which kills age
        plaintext.close();
    }
}
