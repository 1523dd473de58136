package dev.runbook.storage.s3;

import dev.runbook.spi.BadParameterException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class S3OptionsTest {

    @Test
    void defaultsToAwsInUsEast1WithVirtualHostedAddressing() {
        S3Options o = S3Options.from(Map.of(), Map.of());
        assertNull(o.endpoint());
        assertEquals("us-east-1", o.region());
        assertFalse(o.pathStyle());
        assertEquals("https://s3.us-east-1.amazonaws.com", o.describeEndpoint());
    }

    @Test
    void environmentConventionsApplyAndOptionsWin() {
        Map<String, String> env = Map.of("AWS_DEFAULT_REGION", "eu-west-1", "AWS_ENDPOINT_URL", "http://generic:9000",
                "AWS_ENDPOINT_URL_S3", "http://minio:9000");
        S3Options fromEnv = S3Options.from(Map.of(), env);
        assertEquals("eu-west-1", fromEnv.region());
        assertEquals("http://minio:9000", fromEnv.endpoint().toString());
        assertTrue(fromEnv.pathStyle(), "path-style is the default with a custom endpoint");

        S3Options fromOptions = S3Options.from(Map.of("region", "ap-south-1", "endpoint", "https://ceph:443",
                "path-style", "false", "sse", "aws:kms", "kms-key-id", "alias/backups", "storage-class", "standard_ia"), env);
        assertEquals("ap-south-1", fromOptions.region());
        assertEquals("https://ceph:443", fromOptions.endpoint().toString());
        assertFalse(fromOptions.pathStyle());
        assertEquals("STANDARD_IA", fromOptions.storageClass());
        assertEquals("alias/backups", fromOptions.kmsKeyId());
    }

    @Test
    void rejectsInconsistentSettings() {
        assertThrows(BadParameterException.class, () -> S3Options.from(Map.of("sse", "rot13"), Map.of()));
        assertThrows(BadParameterException.class, () -> S3Options.from(Map.of("kms-key-id", "k"), Map.of()));
        assertThrows(BadParameterException.class, () -> S3Options.from(Map.of("part-size", "1024"), Map.of()));
        assertThrows(BadParameterException.class, () -> S3Options.from(Map.of("endpoint", "minio:9000"), Map.of()));
    }

    @Test
    void partsInFlightDefaultsToFourAndIsBounded() {
        assertEquals(4, S3Options.from(Map.of(), Map.of()).partsInFlight());
        assertEquals(8, S3Options.from(Map.of("parts-in-flight", "8"), Map.of()).partsInFlight());
        assertThrows(BadParameterException.class, () -> S3Options.from(Map.of("parts-in-flight", "0"), Map.of()));
        assertEquals("parts-in-flight must be a whole number, got 'four'", assertThrows(BadParameterException.class,
                () -> S3Options.from(Map.of("parts-in-flight", "four"), Map.of())).getMessage());
        assertThrows(BadParameterException.class, () -> S3Options.from(Map.of("part-size", String.valueOf(2L << 30)), Map.of()));
    }

    @Test
    void partsAreLargeEnoughForATebibyteInTenThousandParts() {
        S3Store store = new S3Store("b", S3Options.from(Map.of(), Map.of()),
                Map.of("AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b"));
        long tib = 1L << 40;
        assertTrue(store.partSizeFor(-1) * 10_000 >= tib, "unknown size");
        assertEquals(1L << 30, store.partSizeFor(5 * tib), "capped at 1 GiB (held in memory; 10,000 hold more than S3's 5 TiB)");
        assertTrue(store.partSizeFor(tib) * 10_000 >= 4 * tib, "a 1 TiB database's dump fits even if it grows 4x");
        assertEquals(8L * 1024 * 1024, store.partSizeFor(1L << 30), "a 1 GiB database: small parts, little memory");
        assertEquals(8L * 1024 * 1024, store.partSizeFor(1000));
        store.close();
    }
}
