package com.mlreef.offline.pip;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Sends answers: a body in memory (a page, metadata) or a file streamed from disk, with the entity tag honoured
 * ({@code If-None-Match}: 304), a single byte range (206, or 416 outside the file) and HEAD (headers only).
 */
final class Responses {
    private static final int BUFFER = 64 * 1024;

    private Responses() {
    }

    /** A small body with its type and entity tag; the number of body bytes sent. */
    static long send(HttpExchange ex, int status, String contentType, byte[] body, String etag) throws IOException {
        Headers headers = ex.getResponseHeaders();
        headers.set("Content-Type", contentType);
        if (etag != null) {
            headers.set("ETag", etag);
            if (status == 200 && matches(ex.getRequestHeaders().getFirst("If-None-Match"), etag)) {
                ex.sendResponseHeaders(304, -1);
                return 0;
            }
        }
        return write(ex, status, body);
    }

    /** A one-line text answer: an error, a redirect's note. */
    static long text(HttpExchange ex, int status, String message) throws IOException {
        return write(ex, status, setType(ex, "text/plain; charset=utf-8", (message + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    /** A redirect to another path of the index. */
    static long redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().set("Location", location);
        return text(ex, 301, "moved to " + location);
    }

    /** A distribution file, streamed; ranges and the entity tag honoured. */
    static long file(HttpExchange ex, Path file, String contentType, FileFacts facts) throws IOException {
        Headers headers = ex.getResponseHeaders();
        headers.set("Content-Type", contentType);
        headers.set("ETag", facts.etag());
        headers.set("Accept-Ranges", "bytes");
        if (matches(ex.getRequestHeaders().getFirst("If-None-Match"), facts.etag())) {
            ex.sendResponseHeaders(304, -1);
            return 0;
        }
        String ifRange = ex.getRequestHeaders().getFirst("If-Range");
        ByteRange range;
        try {
            range = ifRange == null || ifRange.equals(facts.etag())
                    ? ByteRange.parse(ex.getRequestHeaders().getFirst("Range"), facts.size()) : null;
        } catch (ByteRange.Unsatisfiable e) {
            headers.set("Content-Range", "bytes */" + facts.size());
            return text(ex, 416, "range not satisfiable: the file has " + facts.size() + " bytes");
        }
        long first = range == null ? 0 : range.first();
        long length = range == null ? facts.size() : range.length();
        if (range != null) {
            headers.set("Content-Range", "bytes " + range.first() + "-" + range.last() + "/" + facts.size());
        }
        int status = range == null ? 200 : 206;
        if (isHead(ex) || length == 0) {
            headers.set("Content-Length", Long.toString(length));
            ex.sendResponseHeaders(status, -1);
            return 0;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ex.sendResponseHeaders(status, length);
            try (InputStream in = Channels.newInputStream(channel.position(first)); OutputStream out = ex.getResponseBody()) {
                copy(in, out, length);
            }
        }
        return length;
    }

    static boolean isHead(HttpExchange ex) {
        return ex.getRequestMethod().equals("HEAD");
    }

    /** Whether an {@code If-None-Match} header names the tag (weak comparison, as RFC 9110 asks for it). */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || (t.startsWith("W/") ? t.substring(2) : t).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    private static byte[] setType(HttpExchange ex, String type, byte[] body) {
        ex.getResponseHeaders().set("Content-Type", type);
        return body;
    }

    private static long write(HttpExchange ex, int status, byte[] body) throws IOException {
        if (isHead(ex) || body.length == 0) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(status, -1);
            return 0;
        }
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
        return body.length;
    }

    private static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the file became shorter while it was sent");
            }
            out.write(buffer, 0, n);
            left -= n;
        }
    }
}
