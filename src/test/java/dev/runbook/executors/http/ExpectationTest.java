package dev.runbook.executors.http;

import dev.runbook.spi.BadParameterException;
import dev.runbook.spi.Params;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExpectationTest {

    private static Expectation expect(Map<String, Object> expect) {
        return Expectation.from(Params.of(Map.of("expect", expect)));
    }

    @Test
    void defaultIs200() {
        Expectation e = Expectation.from(Params.of(Map.of()));
        assertEquals(Optional.empty(), e.mismatch(200, ""));
        assertEquals(Optional.of("answered 201, expected 200"), e.mismatch(201, ""));
    }

    @Test
    void statusClassesAndLists() {
        Expectation e = expect(Map.of("status", List.of("2xx", 304)));
        assertTrue(e.statusMatches(204));
        assertTrue(e.statusMatches(304));
        assertTrue(!e.statusMatches(302));
        assertEquals("2xx or 304", e.statusText());
        assertThrows(BadParameterException.class, () -> expect(Map.of("status", 42)));
    }

    @Test
    void jsonValuesCompareByMeaning() {
        Expectation e = expect(Map.of("json", Map.of("checks.db.ok", true, "/replicas", 3L, "version", "2", "ratio", 0.5)));
        assertEquals(Optional.empty(), e.mismatch(200,
                "{\"checks\":{\"db\":{\"ok\":true}},\"replicas\":3.0,\"version\":2,\"ratio\":0.50}"));
        assertEquals(Optional.of("answered 200 but JSON checks.db.ok is false, expected true"), e.mismatch(200,
                "{\"checks\":{\"db\":{\"ok\":false}},\"replicas\":3,\"version\":\"2\",\"ratio\":0.5}"));
        assertEquals(Optional.of("answered 200 but JSON checks.db.ok is missing"),
                expect(Map.of("json", Map.of("checks.db.ok", true))).mismatch(200, "{\"replicas\":3}"));
    }

    @Test
    void listsAndArrayIndexes() {
        Expectation e = expect(Map.of("json", Map.of("nodes.1", "up", "/zones", List.of("a", "b"))));
        assertEquals(Optional.empty(), e.mismatch(200, "{\"nodes\":[\"down\",\"up\"],\"zones\":[\"a\",\"b\"]}"));
        assertTrue(e.mismatch(200, "{\"nodes\":[\"down\",\"up\"],\"zones\":[\"a\"]}").isPresent());
    }
}
