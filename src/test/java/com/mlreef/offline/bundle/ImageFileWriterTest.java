package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file written is the stream (after decompression), its size and sha256 are the file's, and a failure leaves nothing. */
class ImageFileWriterTest {
    @TempDir
    Path dir;

    @Test
    void writesHashesAndReportsProgress() throws Exception {
        byte[] archive = new byte[5_000_000];
        new Random(7).nextBytes(archive);
        for (Compression compression : Compression.values()) {
            Path target = dir.resolve("a.tar" + compression.suffix());
            AtomicLong seen = new AtomicLong();
            ImageFileWriter.Written written = new ImageFileWriter(compression, 2)
                    .write(new ByteArrayInputStream(archive), target, seen::set);
            byte[] file = Files.readAllBytes(target);
            assertEquals(file.length, written.size());
            assertEquals(BundleVerifier.sha256(file), written.sha256());
            assertEquals(archive.length, written.archiveBytes());
            assertEquals(archive.length, seen.get());
            try (InputStream in = compression.decompressor(new ByteArrayInputStream(file))) {
                assertArrayEquals(archive, in.readAllBytes(), compression.label());
            }
        }
    }

    @Test
    void aBrokenStreamLeavesNoFile() throws Exception {
        InputStream breaks = new FilterInputStream(new ByteArrayInputStream(new byte[3_000_000])) {
            private long read;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (read > 1_000_000) {
                    throw new IOException("connection reset");
                }
                int n = super.read(b, off, len);
                read += Math.max(n, 0);
                return n;
            }
        };
        Path target = dir.resolve("b.tar.zst");
        IOException e = assertThrows(IOException.class,
                () -> new ImageFileWriter(Compression.ZSTD, 2).write(breaks, target, n -> { }));
        assertEquals("connection reset", e.getMessage());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }
}
