package dev.runbook.storage.s3;

import dev.runbook.storage.ArchivedObjectException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.InvalidObjectStateException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.file.NoSuchFileException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns SDK exceptions into IOExceptions whose messages tell an on-call engineer what to do. */
final class S3Errors {

    private S3Errors() {
    }

    /**
     * @param what   the operation, e.g. "download"
     * @param uri    the object or bucket, e.g. s3://backups/postgres/x.sql
     */
    static IOException map(Throwable error, String what, String uri, String key, S3Options options) {
        Throwable e = unwrap(error);
        if (e instanceof IOException io) {
            return io;
        }
        if (e instanceof NoSuchKeyException) {
            NoSuchFileException nf = new NoSuchFileException(uri, null, "no such object");
            nf.initCause(e);
            return nf;
        }
        if (e instanceof InvalidObjectStateException invalid) {
            String cls = invalid.storageClassAsString() == null ? "GLACIER" : invalid.storageClassAsString();
            return archived(uri, key, cls);
        }
        if (e instanceof NoSuchBucketException) {
            return new IOException("cannot " + what + " " + uri + ": the bucket does not exist at "
                    + options.describeEndpoint() + " (check the bucket name, region and endpoint)", e);
        }
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            if ("InvalidObjectState".equals(code)) {
                return archived(uri, key, "GLACIER");
            }
            if (s3.statusCode() == 403) {
                return new IOException("cannot " + what + " " + uri + ": access denied (" + code
                        + "); check the credentials (AWS_ACCESS_KEY_ID/AWS_PROFILE) and the bucket policy", e);
            }
            if (s3.statusCode() == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)) {
                return new IOException("cannot " + what + " " + uri + ": the bucket is in another region than "
                        + options.region() + "; set region (or AWS_REGION) to the bucket's region", e);
            }
            return new IOException("cannot " + what + " " + uri + ": S3 answered " + s3.statusCode() + " "
                    + (code == null ? "" : code + " ") + firstLine(s3.awsErrorDetails() == null ? s3.getMessage()
                    : s3.awsErrorDetails().errorMessage()), e);
        }
        if (e instanceof SdkClientException || e instanceof SdkException) {
            Throwable root = rootCause(e);
            if (root instanceof ConnectException || root instanceof UnknownHostException
                    || String.valueOf(root.getMessage()).contains("Connection refused")) {
                String why = root instanceof UnknownHostException ? "its host name does not resolve"
                        : "the connection was refused";
                return new IOException("cannot " + what + " " + uri + ": S3 endpoint " + options.describeEndpoint()
                        + " is unreachable (" + why + "); check the endpoint, network and that the service is up", e);
            }
            if (timedOut(e)) {
                return new IOException("cannot " + what + " " + uri + ": S3 endpoint " + options.describeEndpoint()
                        + " did not answer in time (it may be down, overloaded or behind a network that drops"
                        + " packets); check the endpoint and that the service is up", e);
            }
            return new IOException("cannot " + what + " " + uri + " via " + options.describeEndpoint() + ": "
                    + firstLine(e.getMessage()), e);
        }
        if (e instanceof CancellationException) {
            return new IOException(what + " of " + uri + " was cancelled", e);
        }
        return new IOException("cannot " + what + " " + uri + ": " + e, e);
    }

    static ArchivedObjectException archived(String uri, String key, String storageClass) {
        String bucket = uri.startsWith("s3://") ? uri.substring(5, uri.indexOf('/', 5) < 0 ? uri.length() : uri.indexOf('/', 5)) : "";
        return new ArchivedObjectException(key, storageClass, uri + " is in the " + storageClass
                + " archive tier and cannot be read until it is restored (hours for GLACIER, up to 48 h for"
                + " DEEP_ARCHIVE). Run the s3.restore-archived step on it first, or: aws s3api restore-object"
                + " --bucket " + bucket + " --key " + key
                + " --restore-request '{\"Days\":7,\"GlacierJobParameters\":{\"Tier\":\"Standard\"}}'");
    }

    static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The SDK's own words for a timeout ("Acquire operation took longer than ...") mean nothing to a user. */
    private static boolean timedOut(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (t instanceof java.net.SocketTimeoutException || t instanceof java.util.concurrent.TimeoutException
                    || t.getClass().getSimpleName().endsWith("TimeoutException")
                    || m.contains("Acquire operation took longer") || m.contains("timed out")) {
                return true;
            }
        }
        return false;
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
