package com.mlreef.offline.docker.transport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/** Status, headers (names case-insensitive) and the streamed body; closing it closes the connection. */
public final class HttpResponse implements Closeable {
    private final int status;
    private final String reason;
    private final Map<String, String> headers;
    private final InputStream body;
    private final Closeable connection;

    public HttpResponse(int status, String reason, Map<String, String> headers, InputStream body, Closeable connection) {
        this.status = status;
        this.reason = reason;
        TreeMap<String, String> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        map.putAll(headers);
        this.headers = map;
        this.body = body;
        this.connection = connection;
    }

    public int status() { return status; }

    public String reason() { return reason; }

    public String header(String name) { return headers.get(name); }

    public Map<String, String> headers() { return headers; }

    /** The body as it arrives, already de-chunked; ends where the response ends. */
    public InputStream body() { return body; }

    /** Reads the whole body as text, up to {@code limit} bytes (for error messages and small JSON answers). */
    public String bodyText(int limit) throws IOException {
        byte[] bytes = body.readNBytes(limit);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        connection.close();
    }
}
