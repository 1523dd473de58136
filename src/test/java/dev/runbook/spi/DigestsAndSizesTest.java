package dev.runbook.spi;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The one SHA-256 helper and the one byte formatter every package uses. */
class DigestsAndSizesTest {

    @Test
    void sha256MatchesTheStandardTestVector() {
        String abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; // FIPS 180-2, "abc"
        assertEquals(abc, Sha256.hex("abc"));
        assertEquals(abc, Sha256.hex("abc".getBytes(StandardCharsets.UTF_8)));
        MessageDigest streamed = Sha256.digest();
        streamed.update("a".getBytes(StandardCharsets.UTF_8));
        streamed.update("bc".getBytes(StandardCharsets.UTF_8));
        assertEquals(abc, Sha256.hex(streamed));
    }

    @Test
    void byteSizesUseBinaryUnitsAndADotWhateverTheLocale() {
        java.util.Locale before = java.util.Locale.getDefault();
        java.util.Locale.setDefault(java.util.Locale.GERMANY); // a decimal comma locale
        try {
            assertEquals("1023 B", ByteSizes.human(1023));
            assertEquals("1.0 KiB", ByteSizes.human(1024));
            assertEquals("24.2 MiB", ByteSizes.human(25_375_539));
            assertEquals("1.5 GiB", ByteSizes.human(3L << 29));
            assertEquals("2048.0 TiB", ByteSizes.human(1L << 51));
        } finally {
            java.util.Locale.setDefault(before);
        }
    }
}
