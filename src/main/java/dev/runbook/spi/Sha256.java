package dev.runbook.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 in lower-case hex, the one place the project makes digests: backup checksums (the
 * {@code sha256} object metadata and manifests), the runbook's source hash, derived names.
 */
public final class Sha256 {

    /** The object metadata key holding an object's checksum, written and read by every executor. */
    public static final String METADATA_KEY = "sha256";

    private Sha256() {
    }

    /** A fresh digest to feed a stream through. */
    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public static String hex(byte[] content) {
        return HexFormat.of().formatHex(digest().digest(content));
    }

    public static String hex(String text) {
        return hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Completes the digest (it is reset) and returns it as hex. */
    public static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
