package dev.runbook.executors.s3;

import dev.runbook.spi.Action;
import dev.runbook.spi.Outputs;
import dev.runbook.spi.Params;
import dev.runbook.testsupport.RecordingStepContext;
import dev.runbook.testsupport.S3ProxyServer;

import java.util.HashMap;
import java.util.Map;

/** Runs s3 actions the way the engine would: by name, with a map of parameters. */
final class S3ActionsSupport {

    private S3ActionsSupport() {
    }

    static Action action(String name) {
        return new S3Executor().actions().stream().filter(a -> a.name().equals(name)).findFirst().orElseThrow();
    }

    static RecordingStepContext context(S3ProxyServer s3) {
        RecordingStepContext ctx = new RecordingStepContext();
        s3.env().forEach(ctx::env);
        return ctx;
    }

    /** Runs an action against the given server (endpoint and path-style added to the params). */
    static Outputs run(String action, S3ProxyServer s3, RecordingStepContext ctx, Map<String, ?> params) throws Exception {
        Map<String, Object> all = new HashMap<>(params);
        if (s3 != null) {
            all.putIfAbsent("endpoint", s3.endpoint().toString());
        }
        return action(action).execute(Params.of(all), ctx);
    }
}
