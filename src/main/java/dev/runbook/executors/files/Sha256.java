package dev.runbook.executors.files;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 in lower-case hex, the form the {@code sha256} object metadata uses. */
final class Sha256 {

    /** The metadata key holding an object's checksum. */
    static final String METADATA_KEY = "sha256";

    private Sha256() {
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    static String hex(byte[] content) {
        return HexFormat.of().formatHex(digest().digest(content));
    }

    static String hex(MessageDigest digest) {
        return HexFormat.of().formatHex(digest.digest());
    }
}
