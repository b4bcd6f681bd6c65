package com.mlreef.offline.bundle;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A file written under a temporary name ({@code NAME.partial}) and renamed to its own name only once complete and on
 * disk, so a file with its final name is always whole. Large files are synced in the background while they are
 * written, so that the final sync does not wait for the whole file.
 */
public final class AtomicFile implements Closeable {
    public static final String PARTIAL = ".partial";
    private static final long SYNC_EVERY = 64L << 20;
    /** Writes go to the kernel in pieces of this size, through one direct buffer (see ImageFileWriter). */
    private static final int SLICE = 64 << 10;

    private final Path target;
    private final Path temporary;
    private final FileChannel channel;
    private final ExecutorService syncer;
    private Future<?> syncing;
    private long written;
    private long requested;
    private boolean committed;

    private AtomicFile(Path target) throws IOException {
        this.target = target;
        this.temporary = target.resolveSibling(target.getFileName() + PARTIAL);
        Files.deleteIfExists(temporary);
        this.channel = FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        this.syncer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sync " + target.getFileName());
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts writing {@code target}; a leftover temporary file of an earlier, interrupted write is replaced. */
    public static AtomicFile create(Path target) throws IOException {
        return new AtomicFile(target);
    }

    /** Writes a small file whole, atomically. */
    public static void write(Path target, byte[] content) throws IOException {
        try (AtomicFile file = create(target)) {
            file.stream().write(content);
            file.commit();
        }
    }

    public Path temporary() {
        return temporary;
    }

    /** The stream to write the content to; not buffered, so write in large pieces. */
    public OutputStream stream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            private final ByteBuffer slice = ByteBuffer.allocateDirect(SLICE);

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int done = 0; done < len; ) {
                    int n = Math.min(SLICE, len - done);
                    slice.clear();
                    slice.put(b, off + done, n).flip();
                    while (slice.hasRemaining()) {
                        channel.write(slice);
                    }
                    done += n;
                }
                written += len;
                if (written - requested >= SYNC_EVERY && (syncing == null || syncing.isDone())) {
                    requested = written;
                    syncing = syncer.submit(() -> {
                        channel.force(false);
                        return null;
                    });
                }
            }
        };
    }

    /** Syncs the content, renames the file to its own name and syncs the folder. */
    public void commit() throws IOException {
        syncer.shutdown();
        channel.force(true);
        channel.close();
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temporary + " atomically: " + e.getMessage(), e);
        }
        committed = true;
        syncFolder(target.toAbsolutePath().getParent());
    }

    /** Makes a rename or deletion in the folder durable. */
    public static void syncFolder(Path folder) throws IOException {
        try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Without {@link #commit()}, drops the temporary file. */
    @Override
    public void close() throws IOException {
        syncer.shutdownNow();
        if (!committed) {
            channel.close();
            Files.deleteIfExists(temporary);
        }
    }
}
