package com.mlreef.offline.docker;

/** Receives a container's output (logs, exec) as it arrives, already split into stdout and stderr. */
@FunctionalInterface
public interface OutputSink {
    enum Stream { STDOUT, STDERR }

    void write(Stream stream, byte[] bytes, int offset, int length);
}
