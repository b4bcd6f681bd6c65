package com.mlreef.offline.docker.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Decodes an HTTP/1.1 chunked body as it arrives. */
final class ChunkedInputStream extends InputStream {
    private final InputStream in;
    private long remaining; // bytes left in the current chunk
    private boolean done;

    ChunkedInputStream(InputStream in) {
        this.in = in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (!nextChunk()) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the connection ended inside a chunk");
        }
        remaining -= n;
        if (remaining == 0) {
            String crlf = Http1Exchange.readLine(in);
            if (crlf == null || !crlf.isEmpty()) {
                throw new ProtocolException("chunk not followed by CRLF");
            }
        }
        return n;
    }

    private boolean nextChunk() throws IOException {
        if (done) {
            return false;
        }
        if (remaining > 0) {
            return true;
        }
        String line = Http1Exchange.readLine(in);
        if (line == null) {
            throw new EOFException("the connection ended before the last chunk");
        }
        int semicolon = line.indexOf(';');
        String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line).trim();
        try {
            remaining = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
            throw new ProtocolException("bad chunk size: " + hex);
        }
        if (remaining < 0) {
            throw new ProtocolException("bad chunk size: " + hex);
        }
        if (remaining == 0) {
            String trailer;
            do {
                trailer = Http1Exchange.readLine(in);
            } while (trailer != null && !trailer.isEmpty());
            done = true;
            return false;
        }
        return true;
    }

    @Override
    public int available() throws IOException {
        return done ? 0 : (int) Math.min(remaining, in.available());
    }
}
