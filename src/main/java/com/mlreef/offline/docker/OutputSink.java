package com.mlreef.offline.docker;

import java.io.PrintStream;

/** Receives a container's output (logs, exec) as it arrives, already split into stdout and stderr. */
@FunctionalInterface
public interface OutputSink {
    enum Stream { STDOUT, STDERR }

    void write(Stream stream, byte[] bytes, int offset, int length);

    /** A sink writing stdout to {@code out} and stderr to {@code err}, each flushed as it arrives. */
    static OutputSink to(PrintStream out, PrintStream err) {
        return (stream, bytes, off, len) -> {
            PrintStream target = stream == Stream.STDOUT ? out : err;
            target.write(bytes, off, len);
            target.flush();
        };
    }
}
