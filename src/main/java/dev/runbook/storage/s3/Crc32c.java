package dev.runbook.storage.s3;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.zip.CRC32C;

/** CRC32C as S3 writes it: base64 of the 4 big-endian bytes; multipart objects get the composite form. */
final class Crc32c {

    private Crc32c() {
    }

    static int of(byte[] b, int len) {
        CRC32C crc = new CRC32C(); // the JDK's is hardware-accelerated: several GB/s
        crc.update(b, 0, len);
        return (int) crc.getValue();
    }

    static String base64(int crc) {
        return Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt(crc).array());
    }

    /** S3's checksum of a multipart object: the CRC32C of the parts' CRC32Cs (append "-N"). */
    static String composite(List<Integer> partCrcs) {
        ByteBuffer all = ByteBuffer.allocate(4 * partCrcs.size());
        partCrcs.forEach(all::putInt);
        return base64(of(all.array(), all.capacity()));
    }
}
