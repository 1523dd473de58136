package dev.runbook.engine;

import dev.runbook.spi.Secret;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SecretMaskerTest {

    @Test
    void masksASecretWithCharactersThatUrlEncoding() {
        SecretMasker masker = new SecretMasker();
        masker.add("p@ss word+%!"); // used to recurse forever: every encoding of it differs again

        assertEquals("login *** ok", masker.mask("login p@ss word+%! ok"));
        assertEquals("url ***", masker.mask("url p%40ss+word%2B%25%21"));
    }

    @Test
    void masksTheLongestValueFirst() {
        SecretMasker masker = new SecretMasker();
        masker.add("abc");
        masker.add("abcdef");

        assertEquals("x *** y", masker.mask("x abcdef y"));
    }

    @Test
    void redactsSecretsInsideValueTrees() {
        SecretMasker masker = new SecretMasker();
        masker.addAll(Map.of("dsn", new Secret("postgres://u:hunter22@db/app")));

        assertEquals(Map.of("a", List.of("***", "***"), "b", "***"),
                masker.redact(Map.of("a", List.of(new Secret("x"), "postgres://u:hunter22@db/app"), "b", new Secret("y"))));
    }

    @Test
    void ignoresValuesTooShortToMaskSafely() {
        SecretMasker masker = new SecretMasker();
        masker.add("ab");

        assertEquals("table ab", masker.mask("table ab"));
    }
}
