package dev.runbook.executors.s3;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny HTTP stub that answers like S3 does for ONE object in an archive tier, because no
 * S3 server that runs locally (S3Proxy, S3Mock, MinIO) implements Glacier: none refuses a GET
 * on a GLACIER object or simulates a restore. It speaks the real wire format the SDK parses:
 * HEAD with {@code x-amz-storage-class} and {@code x-amz-restore}, GET refused with 403
 * InvalidObjectState until restored, POST {@code ?restore} answered 202 (or 409
 * RestoreAlreadyInProgress). The restore completes after a set number of HEADs.
 */
final class GlacierStub implements AutoCloseable {

    static final String BUCKET = "archive";
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

    private final HttpServer server;
    private final String key;
    private final String storageClass;
    private final byte[] body;
    private final int headsUntilRestored;
    final List<String> restoreRequests = new CopyOnWriteArrayList<>();
    private final AtomicInteger headsSinceRequest = new AtomicInteger();
    private volatile boolean restoreRequested;

    GlacierStub(String key, String storageClass, byte[] body, int headsUntilRestored, boolean alreadyRequested)
            throws IOException {
        this.key = key;
        this.storageClass = storageClass;
        this.body = body;
        this.headsUntilRestored = headsUntilRestored;
        this.restoreRequested = alreadyRequested;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private boolean restored() {
        return restoreRequested && headsSinceRequest.get() >= headsUntilRestored;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String query = ex.getRequestURI().getQuery();
            boolean ours = path.equals("/" + BUCKET + "/" + key);
            ex.getResponseHeaders().add("x-amz-request-id", "stub");
            switch (ex.getRequestMethod()) {
                case "HEAD" -> {
                    if (!ours) {
                        ex.sendResponseHeaders(404, -1);
                        return;
                    }
                    if (restoreRequested) {
                        headsSinceRequest.incrementAndGet();
                    }
                    headers(ex);
                    ex.sendResponseHeaders(200, -1);
                }
                case "GET" -> {
                    if ((path.equals("/" + BUCKET) || path.equals("/" + BUCKET + "/")) && query != null
                            && query.contains("list-type=2")) {
                        list(ex);
                    } else if (!ours) {
                        error(ex, 404, "NoSuchKey", "The specified key does not exist.");
                    } else if (isArchive() && !restored()) {
                        error(ex, 403, "InvalidObjectState", "The operation is not valid for the object's storage class");
                    } else {
                        headers(ex);
                        ex.sendResponseHeaders(200, body.length);
                        ex.getResponseBody().write(body);
                    }
                }
                case "POST" -> {
                    String request = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    if (!ours || query == null || !query.contains("restore")) {
                        error(ex, 400, "InvalidRequest", "unexpected request");
                    } else if (restoreRequested && !restored()) {
                        error(ex, 409, "RestoreAlreadyInProgress", "Object restore is already in progress");
                    } else {
                        restoreRequests.add(request);
                        restoreRequested = true;
                        headsSinceRequest.set(0);
                        ex.sendResponseHeaders(202, -1);
                    }
                }
                default -> error(ex, 405, "MethodNotAllowed", "not in this stub");
            }
        }
    }

    /** ListObjectsV2 with the one object, as S3 lists an archived object (its storage class in the listing). */
    private void list(HttpExchange ex) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                + "<Name>" + BUCKET + "</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
                + "<IsTruncated>false</IsTruncated><Contents><Key>" + key + "</Key>"
                + "<LastModified>2026-01-01T02:00:00.000Z</LastModified><ETag>\"0123456789abcdef0123456789abcdef\"</ETag>"
                + "<Size>" + body.length + "</Size><StorageClass>" + storageClass + "</StorageClass></Contents></ListBucketResult>";
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/xml");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private boolean isArchive() {
        return storageClass.equals("GLACIER") || storageClass.equals("DEEP_ARCHIVE");
    }

    private void headers(HttpExchange ex) {
        var h = ex.getResponseHeaders();
        h.add("Content-Length", String.valueOf(body.length));
        h.add("Last-Modified", HTTP_DATE.format(ZonedDateTime.of(2026, 1, 1, 2, 0, 0, 0, ZoneOffset.UTC)));
        h.add("ETag", "\"0123456789abcdef0123456789abcdef\"");
        h.add("Content-Type", "application/octet-stream");
        if (!storageClass.equals("STANDARD")) {
            h.add("x-amz-storage-class", storageClass);
        }
        if (restoreRequested) {
            h.add("x-amz-restore", restored()
                    ? "ongoing-request=\"false\", expiry-date=\"Fri, 04 Dec 2026 00:00:00 GMT\""
                    : "ongoing-request=\"true\"");
        }
    }

    private void error(HttpExchange ex, int status, String code, String message) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message>" + (code.equals("InvalidObjectState") ? "<StorageClass>" + storageClass + "</StorageClass>" : "")
                + "<RequestId>stub</RequestId></Error>";
        byte[] bytes = xml.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/xml");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.sendResponseHeaders(status, -1);
            return;
        }
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
