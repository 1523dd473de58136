package dev.runbook.e2e;

import dev.runbook.storage.ObjectInfo;
import dev.runbook.storage.ObjectStore;
import dev.runbook.storage.ObjectStores;
import dev.runbook.storage.StorageUri;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 1 GiB stream through the parallel multipart upload into S3Proxy over a directory, in
 * writes of odd sizes (so parts end mid-write): the old SDK multipart client could wait
 * forever when its second part ended a few KiB short (S3Clients' former comment); here every
 * byte arrives, in order, in 8 MiB parts with 4 in flight, and nothing is left open.
 */
class LargeStreamUploadIT {

    private static final long SIZE = 1L << 30;
    private static FileBackedS3Proxy s3;
    private static final String BUCKET = "large-stream";

    @BeforeAll
    static void start() throws Exception {
        s3 = FileBackedS3Proxy.start();
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stop() {
        if (s3 != null) {
            s3.close();
        }
    }

    @Test
    void oneGibibyteArrivesWholeInParallelParts() throws Exception {
        List<String> log = new CopyOnWriteArrayList<>();
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        byte[] block = new byte[1 << 20];
        new Random(42).nextBytes(block);
        ObjectInfo info;
        try (ObjectStore store = ObjectStores.open(StorageUri.parse("s3://" + BUCKET + "/"),
                Map.of("part-size", String.valueOf(8 << 20), "parts-in-flight", "4"), s3.env());
             ObjectStore.Upload upload = store.startUpload("db/big.sql", Map.of(), -1, log::add)) {
            OutputStream out = upload.stream();
            long written = 0;
            int write = 0;
            while (written < SIZE) {
                int len = (int) Math.min(SIZE - written, 65_537 + (write++ % 7) * 40_961); // odd sizes
                int off = (int) (written % (block.length - len));
                out.write(block, off, len);
                sent.update(block, off, len);
                written += len;
            }
            info = upload.commit();
        }
        assertEquals(SIZE, info.size());
        assertTrue(log.contains("S3 checked the CRC32C of each of the 128 parts on arrival"), log.toString());
        assertEquals(List.of(), s3.openUploads(BUCKET, "db/"));
        Path stored;
        try (Stream<Path> files = Files.walk(s3.storeDir())) {
            stored = files.filter(p -> p.endsWith(Path.of("db", "big.sql"))).findFirst().orElseThrow();
        }
        MessageDigest got = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(stored)) {
            byte[] buf = new byte[1 << 20];
            int n;
            while ((n = in.read(buf)) > 0) {
                got.update(buf, 0, n);
            }
        }
        assertEquals(HexFormat.of().formatHex(sent.digest()), HexFormat.of().formatHex(got.digest()));
    }
}
