package com.mlreef.offline.docker;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Splits the engine's multiplexed stream (logs and exec of a container without a TTY) into stdout and stderr:
 * each frame is an 8-byte header (stream type, three zero bytes, big-endian payload size) and the payload.
 */
public final class StreamDemultiplexer {
    private static final int MAX_CHUNK = 64 * 1024;

    private StreamDemultiplexer() {
    }

    /** Copies frames to the sink until the stream ends. */
    public static void copy(InputStream in, OutputSink sink) throws IOException {
        byte[] header = new byte[8];
        byte[] buffer = new byte[MAX_CHUNK];
        while (true) {
            int read = in.readNBytes(header, 0, 8);
            if (read == 0) {
                return;
            }
            if (read < 8) {
                throw new EOFException("the output stream ended inside a frame header");
            }
            OutputSink.Stream stream = header[0] == 2 ? OutputSink.Stream.STDERR : OutputSink.Stream.STDOUT;
            long size = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
                    | (header[7] & 0xff);
            while (size > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, size));
                if (n < 0) {
                    throw new EOFException("the output stream ended inside a frame");
                }
                sink.write(stream, buffer, 0, n);
                size -= n;
            }
        }
    }

    /** Copies a raw stream (a container with a TTY) to the sink as stdout. */
    public static void copyRaw(InputStream in, OutputSink sink) throws IOException {
        byte[] buffer = new byte[MAX_CHUNK];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            sink.write(OutputSink.Stream.STDOUT, buffer, 0, n);
        }
    }
}
