package com.mlreef.offline.push;

import com.mlreef.offline.bundle.Compression;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarFile;

/**
 * The entries of a bundle's image file (a docker-archive, decompressed as it is read), one pass from first to last:
 * each regular file is offered to a visitor, which may stream it or leave it (then it is skipped). An uncompressed
 * archive's entries can also be listed with their places, and each read from there.
 */
final class ArchiveBlobs {
    private static final int BUFFER = 1 << 16;

    /** Called with each regular file's name (./ left out), size and bytes (not to be closed). */
    interface Visitor {
        void entry(String name, long size, InputStream content) throws IOException;
    }

    private ArchiveBlobs() {
    }

    static void walk(Path file, Compression compression, Visitor visitor) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
             InputStream in = (compression == null ? Compression.NONE : compression).decompressor(raw)) {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile()) {
                    visitor.entry(name(entry), entry.getSize(), new FilterInputStream(tar) {
                        @Override
                        public void close() {
                            // the archive stays open for its next entries
                        }
                    });
                }
            }
        }
    }

    /** One entry's bytes, the file read from its start to the entry; closing it closes the file. */
    static InputStream open(Path file, Compression compression, String wanted) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            InputStream in = (compression == null ? Compression.NONE : compression).decompressor(raw);
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isFile() && name(entry).equals(wanted)) {
                    return tar;
                }
            }
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
        raw.close();
        throw new IOException(file + " has no entry " + wanted);
    }

    /** A regular file of an uncompressed archive: its name, where its bytes start in the file, and their count. */
    record Entry(String name, long offset, long size) {
    }

    /** The regular files of an uncompressed archive, read from its headers only. */
    static List<Entry> entries(Path file) throws IOException {
        List<Entry> entries = new ArrayList<>();
        try (TarFile tar = new TarFile(file)) {
            for (TarArchiveEntry entry : tar.getEntries()) {
                if (entry.isFile() && !entry.isSparse()) {
                    entries.add(new Entry(name(entry), entry.getDataOffset(), entry.getSize()));
                }
            }
        }
        return entries;
    }

    /** The bytes {@code [offset + from, offset + size)} of a file, read at their place. */
    static InputStream range(Path file, long offset, long size, long from) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(offset + from);
        long[] left = {size - from};
        return new FilterInputStream(Channels.newInputStream(channel)) {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left[0] <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left[0]));
                if (n > 0) {
                    left[0] -= n;
                }
                return n;
            }
        };
    }

    private static String name(TarArchiveEntry entry) {
        String name = entry.getName();
        return name.startsWith("./") ? name.substring(2) : name;
    }
}
