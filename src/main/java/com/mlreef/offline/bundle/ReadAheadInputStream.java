package com.mlreef.offline.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A stream read ahead by a thread of its own through a few fixed buffers, so that producing the bytes (reading a
 * file, hashing, decompressing) goes on while the reader of this stream is busy with the previous ones (writing them
 * to the engine's socket). Memory: {@code buffers × size} bytes, whatever the stream's length. A failure of the
 * source is thrown to the reader, as it was thrown. One reader at a time.
 */
public final class ReadAheadInputStream extends BlockInputStream {
    private static final byte[] WAKE = new byte[0];
    private static final Chunk END = new Chunk(null, -1, null);
    private static final Chunk STOPPED = new Chunk(null, -1, new IOException("stream closed"));
    private static final Chunk INTERRUPTED = new Chunk(null, -1, new InterruptedIOException("interrupted"));
    private static final long STOP_WAIT_MILLIS = 2000;

    private record Chunk(byte[] data, int length, Throwable failure) {
    }

    private final InputStream source;
    private final BlockingQueue<byte[]> free = new LinkedBlockingQueue<>();
    private final BlockingQueue<Chunk> filled = new LinkedBlockingQueue<>();
    private final Thread producer;
    private volatile boolean closed;
    private Chunk current;
    private int position;
    private Throwable failure;
    private boolean ended;

    public ReadAheadInputStream(InputStream source, int size, int buffers, String name) {
        if (size <= 0 || buffers <= 0) {
            throw new IllegalArgumentException("size and buffers must be positive");
        }
        this.source = source;
        for (int i = 0; i < buffers; i++) {
            free.add(new byte[size]);
        }
        this.producer = new Thread(this::produce, name);
        producer.setDaemon(true);
        producer.start();
    }

    /** Fills buffers until the source ends, fails or the stream is stopped; the last chunk queued says which. */
    private void produce() {
        Chunk last = STOPPED;
        try {
            while (!closed) {
                byte[] buffer = free.take();
                int length = 0;
                try {
                    while (length < buffer.length && !closed) { // until the buffer is full or the source ends
                        int n = source.read(buffer, length, buffer.length - length);
                        if (n < 0) {
                            break;
                        }
                        length += n;
                    }
                } catch (Throwable e) {
                    last = new Chunk(null, -1, e);
                }
                if (length > 0) {
                    filled.add(new Chunk(buffer, length, null)); // the bytes read before a failure too
                }
                if (last != STOPPED) {
                    return;
                }
                if (length < buffer.length && !closed) {
                    last = END;
                    return;
                }
            }
        } catch (InterruptedException e) {
            last = INTERRUPTED;
        } catch (Throwable e) {
            last = new Chunk(null, -1, e);
        } finally {
            filled.add(last); // always: a reader waiting on another thread must wake
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (len == 0) {
            return 0;
        }
        if ((current == null || position == current.length()) && !next()) {
            return -1;
        }
        int n = Math.min(len, current.length() - position);
        System.arraycopy(current.data(), position, b, off, n);
        position += n;
        return n;
    }

    /** Gives the current piece back and takes the next: false at the end; the source's failure is thrown. */
    private boolean next() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        if (current != null) {
            free.add(current.data());
            current = null;
        }
        while (true) {
            if (failure != null) {
                throw rethrow(failure);
            }
            if (ended) {
                return false;
            }
            Chunk next;
            try {
                next = filled.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted");
            }
            if (next == END) {
                ended = true;
            } else if (next.failure() != null) {
                failure = next.failure();
            } else {
                current = next;
                position = 0;
                return true;
            }
        }
    }

    /** Writes the rest of the stream to {@code out} piece by piece, from the thread's buffers; returns its length. */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
        long count = 0;
        if (current != null && position < current.length()) {
            out.write(current.data(), position, current.length() - position);
            count += current.length() - position;
            position = current.length();
        }
        while (next()) {
            out.write(current.data(), 0, current.length());
            count += current.length();
            position = current.length();
        }
        return count;
    }

    private static IOException rethrow(Throwable failure) {
        if (failure instanceof IOException io) {
            return io;
        }
        if (failure instanceof UncheckedIOException unchecked) {
            return unchecked.getCause();
        }
        if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
        throw (Error) failure;
    }

    @Override
    public int available() {
        return current == null ? 0 : current.length() - position;
    }

    /**
     * Stops the thread, waiting for its read of the source in progress to return, and leaves the source open where
     * the thread left it: read on from there. For sources whose reads return (files, and streams over files). If this
     * thread is interrupted meanwhile, it returns at once with its interrupt status set.
     */
    public void stop() {
        closed = true;
        free.add(WAKE);
        try {
            producer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Stops the thread, waiting a little while for its read of the source in progress to return (then the source is
     * closed under it, which ends a read of a socket or a file), and closes the source.
     */
    @Override
    public void close() throws IOException {
        closed = true;
        free.add(WAKE);
        try {
            producer.join(STOP_WAIT_MILLIS);
            source.close();
            producer.join(STOP_WAIT_MILLIS); // a read that closing did not end is left to its daemon thread
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            source.close();
        }
    }
}
