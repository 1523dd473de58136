package dev.runbook.executors.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Collects at most {@code limit} bytes of a response body and then stops reading, so a
 * health endpoint that streams (or a misconfigured URL that serves a large file) cannot fill
 * the heap or hang the step.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<LimitedBody.Text> {

    /** The body as text (UTF-8), and whether it was cut at the limit. */
    record Text(String text, boolean truncated) {
    }

    private final int limit;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final CompletableFuture<Text> result = new CompletableFuture<>();
    private Flow.Subscription subscription;

    LimitedBody(int limit) {
        this.limit = limit;
    }

    static HttpResponse.BodyHandler<Text> handler(int limit) {
        return info -> new LimitedBody(limit);
    }

    @Override
    public CompletionStage<Text> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            int take = Math.min(buffer.remaining(), limit - bytes.size());
            byte[] chunk = new byte[take];
            buffer.get(chunk);
            bytes.write(chunk, 0, take);
            if (buffer.hasRemaining()) {
                subscription.cancel(); // enough: drop the rest of the body and the connection
                complete(true);
                return;
            }
        }
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        complete(false);
    }

    private void complete(boolean truncated) {
        result.complete(new Text(bytes.toString(StandardCharsets.UTF_8), truncated));
    }
}
