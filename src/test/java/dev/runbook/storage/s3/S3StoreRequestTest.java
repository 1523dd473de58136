package dev.runbook.storage.s3;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The write options end up on every PutObject (and so on the multipart upload the SDK creates from it). */
class S3StoreRequestTest {

    private static final Map<String, String> CREDS = Map.of("AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b");

    @Test
    void encryptionStorageClassAndMetadataAreSet() {
        S3Options o = S3Options.from(Map.of("sse", "aws:kms", "kms-key-id", "alias/backups", "storage-class", "standard_ia"), CREDS);
        try (S3Store store = new S3Store("b", o, CREDS)) {
            PutObjectRequest put = store.putRequest("postgres/x.sql", Map.of("sha256", "ab"));
            assertEquals(ServerSideEncryption.AWS_KMS, put.serverSideEncryption());
            assertEquals("alias/backups", put.ssekmsKeyId());
            assertEquals("STANDARD_IA", put.storageClassAsString());
            assertEquals(Map.of("sha256", "ab"), put.metadata());
        }
    }

    @Test
    void nothingExtraByDefault() {
        try (S3Store store = new S3Store("b", S3Options.from(Map.of(), CREDS), CREDS)) {
            PutObjectRequest put = store.putRequest("k", null);
            assertNull(put.serverSideEncryption());
            assertNull(put.storageClass());
            assertEquals(Map.of(), put.metadata());
        }
    }
}
