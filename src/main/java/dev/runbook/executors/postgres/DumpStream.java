package dev.runbook.executors.postgres;

import dev.runbook.spi.ChildProcess;
import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Takes a dump tool's stdout through the trailer check, the row count of a plain dump's COPY
 * blocks, compression, encryption ({@code age} as a child process, when there are recipients)
 * and hashing into the upload, in one pass:
 *
 * <pre>
 * pipe reader ──(rows, ends)──► [compress thread] ──► upload (parts in flight on their own threads)
 *                                                  └─► [sha256 thread]
 * </pre>
 *
 * Each stage has a thread and a small bounded queue ({@link AsyncStage}), so neither pg_dump's
 * pipe nor the upload waits for compression or hashing unless that stage is the slowest. A
 * failure in any stage fails the writes before it, and {@link #handle} stops the other stages;
 * the caller then aborts the upload. The hash covers the bytes as stored (encrypted).
 */
final class DumpStream implements ChildProcess.StdoutHandler {

    private static final int QUEUE_CHUNKS = 16; // 4 MiB per stage

    private final OutputStream upload;
    private final HashingOutputStream hash = new HashingOutputStream(OutputStream.nullOutputStream());
    private final String compression;
    private final List<String> recipients;
    private final String what;
    private final StepContext ctx;
    private final CopyRowCounter rows;
    private final List<AsyncStage> stages = new CopyOnWriteArrayList<>(); // age runs two of them on its threads
    private EndsCapture raw; // set once the copy starts; read after the tool ended

    /** @param countRows count the rows of a plain dump's COPY blocks on the way */
    DumpStream(OutputStream upload, String compression, List<String> recipients, boolean countRows, String what,
               StepContext ctx) {
        this.upload = upload;
        this.compression = compression;
        this.recipients = recipients;
        this.rows = countRows ? new CopyRowCounter() : null;
        this.what = what;
        this.ctx = ctx;
    }

    @Override
    public void handle(InputStream dump) throws Exception {
        try {
            if (recipients.isEmpty()) {
                pump(dump, stored());
                return;
            }
            encrypted(dump);
        } catch (Exception | Error e) {
            stages.forEach(AsyncStage::cancel);
            throw e;
        }
    }

    private void encrypted(InputStream dump) throws Exception {
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
                    try (OutputStream out = stored()) {
                        ciphertext.transferTo(out);
                    }
                })
                .run(ctx.log());
        if (!age.ok()) {
            throw new StepFailure("age could not encrypt the dump (exit " + age.exitCode() + "): " + PgTools.errorOf(age)
                    + "; nothing was stored", false, null);
        }
    }

    /** The stored bytes: into the upload, and a copy to the hashing thread. Closing it does not end the upload. */
    private OutputStream stored() {
        AsyncStage hashing = stage("sha256", hash);
        return new FilterOutputStream(upload) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                hashing.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void close() throws IOException {
                hashing.close(); // waits until every byte is hashed
                out.flush();     // uploads end with commit or abort, never close
            }
        };
    }

    private AsyncStage stage(String name, OutputStream downstream) {
        AsyncStage s = new AsyncStage(name + " " + what, downstream, QUEUE_CHUNKS);
        stages.add(s);
        return s;
    }

    private void pump(InputStream dump, OutputStream sink) throws Exception {
        OutputStream compressed = "none".equals(compression) ? sink
                : stage(compression, Compression.compress(compression, sink));
        raw = new EndsCapture(rows == null ? compressed : new FilterOutputStream(compressed) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                rows.update(b, off, len);
                out.write(b, off, len);
            }
        });
        Streams.copy(dump, raw, what, what + " was cancelled; nothing was stored", ctx);
        raw.close(); // finishes the compressed stream and waits for every stage; the upload ends with commit or abort
    }

    /** What the tool run produced. */
    DumpAction.Streamed result(ChildProcess.Result tool) {
        return raw == null
                ? new DumpAction.Streamed(tool, 0, hash.count(), hash.hex(), new byte[0], "", null)
                : new DumpAction.Streamed(tool, raw.total(), hash.count(), hash.hex(), raw.head(), raw.tailText(), rowCounts());
    }

    /**
     * The rows of each table's COPY block, or null when not counted or the dump did not end
     * outside a block (then it is incomplete anyway, and the trailer check says so).
     */
    private Map<String, Long> rowCounts() {
        return rows == null || !rows.balanced() ? null : rows.counts();
    }
}
