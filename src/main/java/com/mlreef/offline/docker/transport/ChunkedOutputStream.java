package com.mlreef.offline.docker.transport;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Encodes a body of unknown length as HTTP/1.1 chunks of up to {@code bufferSize} bytes. */
final class ChunkedOutputStream extends OutputStream {
    private final OutputStream out;
    private final byte[] buffer;
    private int count;
    private boolean finished;

    ChunkedOutputStream(OutputStream out, int bufferSize) {
        this.out = out;
        this.buffer = new byte[bufferSize];
    }

    @Override
    public void write(int b) throws IOException {
        if (count == buffer.length) {
            writeChunk(buffer, 0, count);
            count = 0;
        }
        buffer[count++] = (byte) b;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (len >= buffer.length) {
            flushBuffer();
            writeChunk(b, off, len);
            return;
        }
        if (len > buffer.length - count) {
            flushBuffer();
        }
        System.arraycopy(b, off, buffer, count, len);
        count += len;
    }

    private void flushBuffer() throws IOException {
        if (count > 0) {
            writeChunk(buffer, 0, count);
            count = 0;
        }
    }

    private void writeChunk(byte[] b, int off, int len) throws IOException {
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(b, off, len);
        out.write('\r');
        out.write('\n');
    }

    @Override
    public void flush() throws IOException {
        flushBuffer();
        out.flush();
    }

    /** Writes what is buffered and the last (empty) chunk; the underlying stream stays open. */
    void finish() throws IOException {
        if (!finished) {
            flushBuffer();
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            finished = true;
        }
    }

    @Override
    public void close() throws IOException {
        finish();
    }
}
