package dev.runbook.executors.postgres;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/** Compression done in the stream, so nothing but the stored bytes ever touches a disk. */
final class Compression {

    private Compression() {
    }

    /** Wraps the sink; closing the result finishes the compressed stream (and closes the sink). */
    static OutputStream compress(String compression, OutputStream sink) throws IOException {
        return switch (compression) {
            case "gzip" -> new GZIPOutputStream(sink, 64 * 1024);
            case "zstd" -> new ZstdOutputStream(sink, 3);
            default -> sink;
        };
    }

    static InputStream decompress(String compression, InputStream source) throws IOException {
        return switch (compression) {
            case "gzip" -> new GZIPInputStream(source, 64 * 1024);
            case "zstd" -> new ZstdInputStream(source);
            default -> source;
        };
    }

    /** none, gzip or zstd, from the key's suffix (also for hand-made keys BackupKeys cannot parse). */
    static String ofKey(String keyOrUri) {
        String key = Age.encrypted(keyOrUri) ? keyOrUri.substring(0, keyOrUri.length() - Age.SUFFIX.length()) : keyOrUri;
        if (key.endsWith(".gz")) {
            return "gzip";
        }
        if (key.endsWith(".zst")) {
            return "zstd";
        }
        return "none";
    }
}
