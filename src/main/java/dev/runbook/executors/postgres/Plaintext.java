package dev.runbook.executors.postgres;

import dev.runbook.spi.StepContext;
import dev.runbook.spi.StepFailure;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A backup's dump as psql or pg_restore read it: decrypted (age) and decompressed in the
 * stream, the stored bytes hashed on the way in. {@link #open} reads the dump's first bytes
 * before returning, so that an identity that cannot decrypt the backup fails before anything
 * touches a database.
 */
final class Plaintext implements AutoCloseable {

    private final HashingInputStream stored;
    private final Decryption decryption; // null: not encrypted
    private final InputStream dump;
    private final byte[] head;

    private Plaintext(HashingInputStream stored, Decryption decryption, InputStream dump, byte[] head) {
        this.stored = stored;
        this.decryption = decryption;
        this.dump = dump;
        this.head = head;
    }

    /**
     * @param identity the age identity; null for a backup that is not encrypted
     */
    static Plaintext open(BackupSource source, Age.Identity identity, StepContext ctx) throws Exception {
        HashingInputStream stored = new HashingInputStream(source.openStored());
        Decryption decryption = null;
        try {
            InputStream compressed = stored;
            if (identity != null) {
                ctx.log().info("decrypting " + source.uri() + " with age in the stream");
                decryption = Decryption.start(stored, identity, source.uri(), ctx);
                compressed = decryption.plaintext();
            }
            BufferedInputStream dump;
            byte[] head;
            try {
                dump = new BufferedInputStream(Compression.decompress(source.compression(), compressed),
                        2 * BackupSource.HEADER_BYTES);
                dump.mark(BackupSource.HEADER_BYTES);
                head = dump.readNBytes(BackupSource.HEADER_BYTES);
                dump.reset();
            } catch (IOException e) {
                if (decryption != null) {
                    decryption.finish(); // age's own failure (a wrong key) is the reason, not the decompressor's
                } else if (source.expectedSha256() != null) {
                    stored.drain(); // a damaged object: say so as a checksum mismatch when it is one
                    source.checkHash(stored.hex());
                }
                throw new StepFailure("cannot read " + source.uri() + " as a " + source.compression()
                        + " stream: " + e.getMessage() + "; nothing was restored", false, e);
            }
            if (head.length == 0 && decryption != null) {
                decryption.finish();
            }
            return new Plaintext(stored, decryption, dump, head);
        } catch (Exception e) {
            if (decryption != null) {
                decryption.close();
            }
            stored.close();
            throw e;
        }
    }

    /** The dump's first bytes (up to 16 KiB), still to be read from {@link #stream()}. */
    byte[] head() {
        return Arrays.copyOf(head, head.length);
    }

    InputStream stream() {
        return dump;
    }

    /** After the last byte: checks that age decrypted everything; the SHA-256 and size of the stored bytes. */
    Restored finish() throws IOException, StepFailure, InterruptedException {
        if (decryption == null) {
            stored.drain();
        } else {
            decryption.finish(); // age read every stored byte before it ended
        }
        return new Restored(stored.hex(), stored.count());
    }

    @Override
    public void close() throws IOException {
        try {
            if (decryption != null) {
                decryption.close();
            }
        } finally {
            dump.close();
        }
    }
}
