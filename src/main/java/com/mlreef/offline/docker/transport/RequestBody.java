package com.mlreef.offline.docker.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A request body, written to the connection as it is produced; never required to fit in memory. */
public interface RequestBody {

    /** The exact length in bytes, or -1 to send the body with chunked transfer encoding. */
    long length();

    String contentType();

    /** Writes the whole body. Called once, possibly on another thread than the one reading the response. */
    void writeTo(OutputStream out) throws IOException;

    /** True when the body is small and already in memory, so it can be written before the response is read. */
    default boolean inMemory() {
        return false;
    }

    static RequestBody json(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return new RequestBody() {
            public long length() { return bytes.length; }
            public String contentType() { return "application/json"; }
            public void writeTo(OutputStream out) throws IOException { out.write(bytes); }
            public boolean inMemory() { return true; }
        };
    }

    /** A streamed body: {@code length} bytes from {@code in}, or chunked until its end when length is -1. */
    static RequestBody stream(InputStream in, long length, String contentType) {
        return new RequestBody() {
            public long length() { return length; }
            public String contentType() { return contentType; }
            public void writeTo(OutputStream out) throws IOException {
                byte[] buffer = new byte[64 * 1024];
                long sent = 0;
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    sent += n;
                }
                if (length >= 0 && sent != length) {
                    throw new IOException("request body ended after " + sent + " of " + length + " bytes");
                }
            }
        };
    }
}
