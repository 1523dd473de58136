package dev.runbook.model;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** A suggestion is made only for a name close enough to be a slip of the fingers. */
class DidYouMeanTest {

    @Test
    void suggestsTheNameMeantForTyposOfEveryLength() {
        assertEquals(Optional.of("inputs"), DidYouMean.closest("input", List.of("inputs", "secrets", "env", "run", "steps")));
        assertEquals(Optional.of("steps"), DidYouMean.closest("step", List.of("inputs", "secrets", "env", "run", "steps")));
        assertEquals(Optional.of("latency_ms"), DidYouMean.closest("latency-ms", List.of("status", "latency_ms", "body")));
        assertEquals(Optional.of("bucket"), DidYouMean.closest("buckte", List.of("bucket", "prefix")));
        assertEquals(Optional.of("bucket"), DidYouMean.closest("bukcet", List.of("bucket", "prefix")));
        assertEquals(Optional.of("load"), DidYouMean.closest("lod", List.of("find", "load", "check")));
        assertEquals(Optional.of("echo"), DidYouMean.closest("ecko", List.of("echo", "fail")));
        assertEquals(Optional.of("needs"), DidYouMean.closest("nedes", List.of("needs", "name")), "a swap of neighbours is one slip");
        assertEquals(Optional.of("description"), DidYouMean.closest("descripton", List.of("name", "description")));
        assertEquals(Optional.of("Backup"), DidYouMean.closest("backup", List.of("Backup")), "case does not count");
    }

    @Test
    void neverSuggestsANameThatSharesAlmostNothing() {
        assertEquals(Optional.empty(), DidYouMean.closest("zz", List.of("a")));
        assertEquals(Optional.empty(), DidYouMean.closest("q", List.of("a")));
        assertEquals(Optional.empty(), DidYouMean.closest("ab", List.of("xy", "a")));
        assertEquals(Optional.empty(), DidYouMean.closest("abc", List.of("xyc")));
        assertEquals(Optional.empty(), DidYouMean.closest("db", List.of("api", "web")));
        assertEquals(Optional.empty(), DidYouMean.closest("restore", List.of("backup", "verify")));
    }
}
