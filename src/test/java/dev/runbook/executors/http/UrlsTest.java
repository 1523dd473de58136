package dev.runbook.executors.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UrlsTest {

    @Test
    void secretUrlShowsOnlySchemeHostAndPort() {
        assertEquals("https://hooks.slack.com/***", Urls.mask("https://hooks.slack.com/services/T000/B000/XXXX", true));
        assertEquals("http://10.0.0.5:8080/***", Urls.mask("http://user:pw@10.0.0.5:8080/ping?x=1", true));
        assertEquals("***", Urls.mask("not a url with spaces", true));
    }

    @Test
    void plainUrlHidesPasswordsAndCredentialQueryValues() {
        assertEquals("http://localhost:8000/health", Urls.mask("http://localhost:8000/health", false));
        assertEquals("https://admin:***@db.internal/status", Urls.mask("https://admin:hunter2@db.internal/status", false));
        assertEquals("https://hc-ping.com/x?token=***&verbose=1&API_KEY=***",
                Urls.mask("https://hc-ping.com/x?token=abc&verbose=1&API_KEY=def", false));
    }
}
