package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Takes a dump tool's stdout through the trailer check, compression, encryption ({@code age}
 * as a child process, when there are recipients) and hashing into the upload. Nothing is
 * buffered beyond a copy buffer; the hash covers the bytes as stored (encrypted).
 */
final class DumpStream implements ChildProcess.StdoutHandler {

    private final HashingOutputStream stored;
    private final String compression;
    private final List<String> recipients;
    private final String what;
    private final StepContext ctx;
    private EndsCapture raw; // set once the copy starts; read after the tool ended

    DumpStream(OutputStream upload, String compression, List<String> recipients, String what, StepContext ctx) {
        this.stored = new HashingOutputStream(upload);
        this.compression = compression;
        this.recipients = recipients;
        this.what = what;
        this.ctx = ctx;
    }

    @Override
    public void handle(InputStream dump) throws Exception {
        if (recipients.isEmpty()) {
            pump(dump, stored);
            return;
        }
        ChildProcess.Result age = Age.encrypt(recipients)
                .stdin(stdin -> {
                    ChildInput ageInput = new ChildInput(stdin);
                    try {
                        pump(dump, ageInput);
                    } catch (ChildInput.ChildStoppedReading e) {
                        // age gave up: its exit code and stderr say why (checked below)
                    }
                })
                .stdout(ciphertext -> {
                    try (OutputStream out = stored) {
                        ciphertext.transferTo(out);
                    }
                })
                .run(ctx.log());
        if (!age.ok()) {
            throw new StepFailure("age could not encrypt the dump (exit " + age.exitCode() + "): " + PgTools.errorOf(age)
                    + "; nothing was stored", false, null);
        }
    }

    private void pump(InputStream dump, OutputStream sink) throws Exception {
        raw = new EndsCapture(Compression.compress(compression, sink));
        Streams.copy(dump, raw, what, what + " was cancelled; nothing was stored", ctx);
        raw.close(); // finishes the compressed stream; the upload itself ends with commit or abort
    }

    /** What the tool run produced. */
    DumpAction.Streamed result(ChildProcess.Result tool) {
        return raw == null
                ? new DumpAction.Streamed(tool, 0, stored.count(), stored.hex(), new byte[0], "")
                : new DumpAction.Streamed(tool, raw.total(), stored.count(), stored.hex(), raw.head(), raw.tailText());
    }
}
