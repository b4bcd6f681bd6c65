package com.mlreef.offline.bundle;

import io.airlift.compress.zstd.ZstdCompressor;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Compresses a stream in pieces of {@link #CHUNK} bytes, each an independent gzip member or zstd frame, on a pool of
 * threads, and writes them to the downstream in order. Memory is bounded: a fixed set of buffers is reused.
 */
final class ParallelCompressor extends OutputStream {
    static final int CHUNK = 4 << 20;
    /** A piece whose sample shrinks by less than this is stored as it is: random data is not worth compressing. */
    private static final double STORE_ABOVE = 0.95;
    private static final int SAMPLE = 64 << 10;
    private static final int WINDOWS = 4;
    private static final AtomicInteger THREADS = new AtomicInteger();
    /**
     * At most this many threads compress: the pieces in use (two more than threads, each about 8 MiB with its output)
     * are most of the memory a compressed export needs, which must not grow with the host's cores.
     */
    static final int MAX_THREADS = 4;

    enum Codec { GZIP, ZSTD }

    private record Piece(byte[] input, int length, byte[] output) {
    }

    private record Done(Piece piece, int compressedLength) {
    }

    private final OutputStream out;
    private final Codec codec;
    private final ExecutorService pool;
    private final BlockingQueue<Piece> free;
    private final Deque<Future<Done>> pending = new ArrayDeque<>();
    private final int maxPending;
    private Piece current;
    private int position;
    private boolean closed;

    ParallelCompressor(OutputStream out, Codec codec, int threads) {
        this.out = out;
        this.codec = codec;
        int n = Math.max(1, Math.min(threads, MAX_THREADS));
        this.maxPending = n + 1; // one piece waits to be written while every thread compresses
        this.free = new ArrayBlockingQueue<>(maxPending + 1);
        for (int i = 0; i < maxPending + 1; i++) {
            free.add(new Piece(new byte[CHUNK], 0, new byte[maxOutput(codec, CHUNK)]));
        }
        this.pool = Executors.newFixedThreadPool(n, r -> {
            Thread t = new Thread(r, "compress-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private static int maxOutput(Codec codec, int length) {
        return switch (codec) {
            case ZSTD -> new ZstdCompressor().maxCompressedLength(length);
            // stored deflate blocks add 5 bytes per 64 KiB; a gzip member adds 18 bytes
            case GZIP -> length + (length >>> 12) + 1024;
        };
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        ensureOpen();
        while (len > 0) {
            if (current == null) {
                current = take();
                position = 0;
            }
            int n = Math.min(len, CHUNK - position);
            System.arraycopy(b, off, current.input(), position, n);
            position += n;
            off += n;
            len -= n;
            if (position == CHUNK) {
                submit();
            }
        }
    }

    private Piece take() throws IOException {
        Piece piece = free.poll();
        while (piece == null) {
            writeOldest();
            piece = free.poll();
        }
        return piece;
    }

    private void submit() throws IOException {
        Piece piece = new Piece(current.input(), position, current.output());
        current = null;
        position = 0;
        pending.add(pool.submit(() -> new Done(piece, compress(piece))));
        while (pending.size() > maxPending) {
            writeOldest();
        }
    }

    private void writeOldest() throws IOException {
        Future<Done> next = pending.poll();
        if (next == null) {
            throw new IllegalStateException("no buffer free and nothing pending");
        }
        Done done;
        try {
            done = next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while compressing");
        } catch (ExecutionException e) {
            throw new IOException("compressing failed: " + e.getCause().getMessage(), e.getCause());
        }
        out.write(done.piece().output(), 0, done.compressedLength());
        free.add(new Piece(done.piece().input(), 0, done.piece().output()));
    }

    private int compress(Piece piece) {
        return switch (codec) {
            case ZSTD -> zstdFrame(piece.input(), piece.length(), piece.output());
            case GZIP -> gzipMember(piece.input(), piece.length(), piece.output());
        };
    }

    /** One zstd frame: compressed, or of raw blocks when samples show the data does not shrink. */
    static int zstdFrame(byte[] input, int length, byte[] output) {
        if (!worthCompressing(input, length, (offset, size) -> {
            byte[] scratch = new byte[new ZstdCompressor().maxCompressedLength(size)];
            return new ZstdCompressor().compress(input, offset, size, scratch, 0, scratch.length);
        })) {
            return zstdRawFrame(input, length, output);
        }
        return new ZstdCompressor().compress(input, 0, length, output, 0, output.length);
    }

    /** The compressed size of {@code size} bytes of the piece from {@code offset}. */
    private interface Probe {
        int compressedSize(int offset, int size);
    }

    /**
     * Whether a piece is worth compressing: when any of {@link #WINDOWS} samples spread over it shrinks (a piece
     * often holds the end of a random file and the start of a text one), at the cost of one sample of
     * {@link #SAMPLE} bytes.
     */
    private static boolean worthCompressing(byte[] input, int length, Probe probe) {
        if (length == 0) {
            return false;
        }
        int window = Math.min(SAMPLE / WINDOWS, length);
        for (int w = 0; w < WINDOWS; w++) {
            int offset = (int) ((long) (length - window) * w / Math.max(1, WINDOWS - 1));
            if (probe.compressedSize(offset, window) < window * STORE_ABOVE) {
                return true;
            }
        }
        return false;
    }

    private static final int ZSTD_MAGIC = 0xFD2FB528;
    private static final int ZSTD_MAX_BLOCK = 128 << 10;

    /**
     * A zstd frame (RFC 8878) that stores its content in raw blocks: magic, a single-segment header with a 4-byte
     * content size, then blocks of at most 128 KiB, each with a 3-byte header (last flag, type 0 raw, size).
     */
    static int zstdRawFrame(byte[] input, int length, byte[] output) {
        int pos = putIntLe(output, 0, ZSTD_MAGIC);
        output[pos++] = (byte) 0xA0; // frame content size in 4 bytes, single segment, no checksum, no dictionary
        pos = putIntLe(output, pos, length);
        int off = 0;
        do {
            int size = Math.min(ZSTD_MAX_BLOCK, length - off);
            boolean last = off + size == length;
            int header = (size << 3) | (last ? 1 : 0);
            output[pos] = (byte) header;
            output[pos + 1] = (byte) (header >>> 8);
            output[pos + 2] = (byte) (header >>> 16);
            pos += 3;
            System.arraycopy(input, off, output, pos, size);
            pos += size;
            off += size;
        } while (off < length);
        return pos;
    }

    /** One gzip member (RFC 1952): header, raw deflate, CRC-32 and length. */
    static int gzipMember(byte[] input, int length, byte[] output) {
        int level = worthDeflating(input, length) ? Deflater.BEST_SPEED : Deflater.NO_COMPRESSION;
        byte[] header = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
        System.arraycopy(header, 0, output, 0, header.length);
        int pos = header.length;
        Deflater deflater = new Deflater(level, true);
        try {
            deflater.setInput(input, 0, length);
            deflater.finish();
            while (!deflater.finished()) {
                int n = deflater.deflate(output, pos, output.length - 8 - pos);
                if (n == 0 && !deflater.finished()) {
                    throw new IllegalStateException("gzip output buffer too small");
                }
                pos += n;
            }
        } finally {
            deflater.end();
        }
        CRC32 crc = new CRC32();
        crc.update(input, 0, length);
        pos = putIntLe(output, pos, (int) crc.getValue());
        return putIntLe(output, pos, length);
    }

    private static boolean worthDeflating(byte[] input, int length) {
        return worthCompressing(input, length, (offset, size) -> {
            Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
            try {
                deflater.setInput(input, offset, size);
                deflater.finish();
                byte[] scratch = new byte[size + 1024];
                int n = 0;
                while (!deflater.finished()) {
                    n += deflater.deflate(scratch, 0, scratch.length);
                }
                return n;
            } finally {
                deflater.end();
            }
        });
    }

    private static int putIntLe(byte[] b, int pos, int value) {
        b[pos] = (byte) value;
        b[pos + 1] = (byte) (value >>> 8);
        b[pos + 2] = (byte) (value >>> 16);
        b[pos + 3] = (byte) (value >>> 24);
        return pos + 4;
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new IOException("stream closed");
        }
    }

    /** Writes every piece still pending; the downstream is flushed, not closed. */
    @Override
    public void flush() throws IOException {
        ensureOpen();
        if (current != null && position > 0) {
            submit();
        }
        while (!pending.isEmpty()) {
            writeOldest();
        }
        out.flush();
    }

    /** Finishes the compressed stream (an empty input still gives one valid empty member or frame) and closes it. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (current == null) {
                current = take();
                position = 0;
            }
            if (position > 0 || pending.isEmpty()) {
                submit();
            }
            while (!pending.isEmpty()) {
                writeOldest();
            }
            closed = true;
            out.close();
        } finally {
            closed = true;
            pool.shutdownNow();
        }
    }
}
