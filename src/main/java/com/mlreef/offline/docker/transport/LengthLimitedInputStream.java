package com.mlreef.offline.docker.transport;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** A body of a known Content-Length; ending early is an error, not a short body. */
final class LengthLimitedInputStream extends InputStream {
    private final InputStream in;
    private long remaining;

    LengthLimitedInputStream(InputStream in, long length) {
        this.in = in;
        this.remaining = length;
    }

    @Override
    public int read() throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int b = in.read();
        if (b < 0) {
            throw new EOFException("the connection ended " + remaining + " bytes before the end of the body");
        }
        remaining--;
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("the connection ended " + remaining + " bytes before the end of the body");
        }
        remaining -= n;
        return n;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(remaining, in.available());
    }
}
