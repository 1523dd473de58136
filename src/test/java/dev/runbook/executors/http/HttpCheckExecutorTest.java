package dev.runbook.executors.http;

import dev.runbook.spi.Action;
import dev.runbook.spi.ParamSpec;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpCheckExecutorTest {

    private final HttpCheckExecutor executor = new HttpCheckExecutor();

    @Test
    void catalogue() {
        assertEquals("http-check", executor.name());
        assertEquals(Optional.of("check"), executor.defaultAction());
        assertEquals(List.of("check", "request"), executor.actions().stream().map(Action::name).toList());
    }

    @Test
    void onlyUrlAndHeadersMayCarrySecrets() {
        for (Action action : executor.actions()) {
            List<String> sensitive = action.params().stream().filter(ParamSpec::sensitive).map(ParamSpec::name).toList();
            assertEquals(List.of("url", "headers"), sensitive, action.name());
            assertTrue(action.params().stream().anyMatch(p -> p.name().equals("url") && p.required()));
        }
    }

    @Test
    void tlsVerificationIsOnByDefault() {
        for (Action action : executor.actions()) {
            ParamSpec insecure = action.params().stream().filter(p -> p.name().equals("insecure-skip-tls-verify")).findFirst().orElseThrow();
            assertEquals(false, insecure.defaultValue(), action.name());
        }
    }
}
