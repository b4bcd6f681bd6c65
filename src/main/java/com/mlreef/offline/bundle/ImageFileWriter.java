package com.mlreef.offline.bundle;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * Writes a docker-archive stream to a bundle file: compressed on other threads, hashed as it is written, under a
 * temporary name until complete and synced. Nothing is held in memory beyond a few fixed buffers.
 */
public final class ImageFileWriter {
    /** Small pieces stay in the CPU's cache between the socket, the digest and the file (measured: 1 MiB pieces cost
     *  three times the kernel time of 64 KiB ones). */
    private static final int BUFFER = 64 << 10;

    private final Compression compression;
    private final int threads;

    public ImageFileWriter(Compression compression, int threads) {
        this.compression = compression;
        this.threads = threads;
    }

    /** What was written: the file's size and SHA-256, and how many archive bytes went into it. */
    public record Written(long size, String sha256, long archiveBytes) {
    }

    /**
     * @param archive  the tar, read to its end (the caller closes it)
     * @param progress told the number of archive bytes read so far, after each piece
     */
    public Written write(InputStream archive, Path target, LongConsumer progress) throws IOException {
        try (AtomicFile file = AtomicFile.create(target)) {
            HashingStream hashed = new HashingStream(file.stream());
            Pipe pipe = new Pipe();
            FutureTask<Void> writing = new FutureTask<>(() -> {
                try (OutputStream sink = compression.compressor(hashed, threads)) {
                    pipe.drainTo(sink);
                }
                return null;
            });
            Thread writer = new Thread(writing, "write " + target.getFileName());
            writer.setDaemon(true);
            writer.start();
            long read;
            try {
                read = pipe.fill(archive, writing, progress);
                writing.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing " + target);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof IOException io) {
                    throw io;
                }
                throw new IOException("writing " + target + ": " + e.getCause(), e.getCause());
            } finally {
                writing.cancel(true);
            }
            file.commit();
            return new Written(hashed.count, hashed.hex(), read);
        }
    }

    /**
     * Pieces of the archive passed from the thread that reads the engine's stream to the one that hashes, compresses
     * and writes, so that neither waits for the other (measured: about 6% faster than one thread doing both). A fixed
     * set of buffers goes round; a piece of length -1 ends the stream.
     */
    private static final class Pipe {
        private static final int PIECES = 64;
        private final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(PIECES);
        private final BlockingQueue<Piece> full = new ArrayBlockingQueue<>(PIECES + 1);

        private record Piece(byte[] buffer, int length) {
        }

        Pipe() {
            for (int i = 0; i < PIECES; i++) {
                free.add(new byte[BUFFER]);
            }
        }

        /** Reads the archive to its end into the pipe; returns its length. Stops early when the writer has ended. */
        long fill(InputStream archive, Future<?> writer, LongConsumer progress)
                throws IOException, InterruptedException, ExecutionException {
            long read = 0;
            while (true) {
                byte[] buffer = free.poll(100, TimeUnit.MILLISECONDS);
                if (buffer == null) {
                    if (writer.isDone()) {
                        writer.get();
                        throw new IOException("the file writer ended early");
                    }
                    continue;
                }
                int n = archive.readNBytes(buffer, 0, buffer.length);
                if (n <= 0) {
                    full.put(new Piece(buffer, -1));
                    return read;
                }
                full.put(new Piece(buffer, n));
                read += n;
                progress.accept(read);
            }
        }

        void drainTo(OutputStream sink) throws IOException, InterruptedException {
            while (true) {
                Piece piece = full.take();
                if (piece.length() < 0) {
                    return;
                }
                sink.write(piece.buffer(), 0, piece.length());
                free.put(piece.buffer());
            }
        }
    }

    /** Counts and hashes what passes to the file; closing it does not close the file. */
    private static final class HashingStream extends OutputStream {
        private final OutputStream out;
        private final MessageDigest digest = sha256();
        private long count;

        HashingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the atomic file is committed or dropped by its owner
        }

        String hex() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this runtime", e);
        }
    }
}
