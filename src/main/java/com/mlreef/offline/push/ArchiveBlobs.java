package com.mlreef.offline.push;

import com.mlreef.offline.bundle.Compression;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The entries of a bundle's image file (a docker-archive, decompressed as it is read), one pass from first to last:
 * each regular file is offered to a visitor, which may stream it or leave it (then it is skipped).
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

    private static String name(TarArchiveEntry entry) {
        String name = entry.getName();
        return name.startsWith("./") ? name.substring(2) : name;
    }
}
