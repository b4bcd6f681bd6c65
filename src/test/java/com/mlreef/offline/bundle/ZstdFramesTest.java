package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ZstdFramesTest {

    /** Compressible and random data over several 4 MiB pieces, as export writes them, then a frame without a size. */
    private static byte[][] file() throws IOException {
        byte[] content = new byte[ParallelCompressor.CHUNK * 2 + 12345];
        new Random(7).nextBytes(content);
        Arrays.fill(content, 0, ParallelCompressor.CHUNK, (byte) 'a');
        ByteArrayOutputStream zst = new ByteArrayOutputStream();
        try (OutputStream out = Compression.ZSTD.compressor(zst, 2)) {
            out.write(content);
        }
        // a frame whose header gives no content size (window 4 MiB), of one raw block of 100 bytes
        byte[] tail = new byte[100];
        new Random(8).nextBytes(tail);
        zst.write(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x00, 0x60});
        int block = (100 << 3) | 1;
        zst.write(new byte[] {(byte) block, (byte) (block >>> 8), (byte) (block >>> 16)});
        zst.write(tail);
        byte[] all = Arrays.copyOf(content, content.length + tail.length);
        System.arraycopy(tail, 0, all, content.length, tail.length);
        return new byte[][] {zst.toByteArray(), all};
    }

    @Test
    void readsWhatTheZstdDecoderReads() throws IOException {
        byte[][] f = file();
        assertArrayEquals(f[1], new ZstdFrames(new ByteArrayInputStream(f[0])).readAllBytes());
        assertArrayEquals(f[1], new ZstdInputStream(new ByteArrayInputStream(f[0])).readAllBytes());
    }

    @Test
    void skipsWholeFramesAndPartsOfFrames() throws IOException {
        byte[][] f = file();
        int chunk = ParallelCompressor.CHUNK;
        for (long skip : new long[] {0, 1, chunk - 1, chunk, chunk + 17, 2L * chunk, f[1].length - 100, f[1].length - 5}) {
            InputStream in = new ZstdFrames(new ByteArrayInputStream(f[0]));
            long left = skip;
            while (left > 0) {
                long s = in.skip(left);
                assertEquals(true, s > 0, "skip makes progress at " + (skip - left));
                left -= s;
            }
            assertArrayEquals(Arrays.copyOfRange(f[1], (int) skip, f[1].length), in.readAllBytes(), "after " + skip);
        }
        InputStream in = new ZstdFrames(new ByteArrayInputStream(f[0]));
        assertEquals(f[1].length, in.skip(Long.MAX_VALUE), "skipping past the end stops at the end");
        assertEquals(-1, in.read());
    }

    @Test
    void aFileCutInsideAFrameIsAnError() throws IOException {
        byte[] zst = file()[0];
        for (int cut : new int[] {3, 5, zst.length / 3, zst.length - 50}) {
            InputStream in = new ZstdFrames(new ByteArrayInputStream(Arrays.copyOf(zst, cut)));
            IOException e = assertThrows(IOException.class, () -> in.transferTo(OutputStream.nullOutputStream()),
                    "cut at " + cut);
            assertTrue(e.getMessage().contains("ends inside"), e.getMessage());
        }
    }

    @Test
    void skippableAndEmptyFramesBetweenFramesAreSteppedOver() throws IOException {
        byte[] a = new byte[100_000];
        byte[] b = new byte[50_000];
        Arrays.fill(a, (byte) 'a');
        new Random(9).nextBytes(b);
        ByteArrayOutputStream zst = new ByteArrayOutputStream();
        zst.write(frame(a));
        // a skippable frame of 8 bytes, then an empty frame (single segment, content size 0, one empty raw block)
        zst.write(new byte[] {0x50, 0x2a, 0x4d, 0x18, 8, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8});
        zst.write(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0x20, 0x00, 0x01, 0x00, 0x00});
        zst.write(frame(b));
        byte[] both = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        assertArrayEquals(both, new ZstdFrames(new ByteArrayInputStream(zst.toByteArray())).readAllBytes());
        InputStream in = new ZstdFrames(new ByteArrayInputStream(zst.toByteArray()));
        assertEquals(a.length, in.skip(a.length), "the first frame stepped over whole");
        assertArrayEquals(b, in.readAllBytes());
    }

    @Test
    void aFileThatBeginsWithASkippableFrameIsZstd() throws IOException {
        byte[] a = "a tar, as pzstd writes it".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteArrayOutputStream zst = new ByteArrayOutputStream();
        zst.write(new byte[] {0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4});
        zst.write(frame(a));
        java.io.BufferedInputStream in = new java.io.BufferedInputStream(new ByteArrayInputStream(zst.toByteArray()));
        Compression detected = Compression.detect(in);
        assertEquals(Compression.ZSTD, detected);
        assertArrayEquals(a, detected.decompressor(in).readAllBytes());
    }

    private static byte[] frame(byte[] content) {
        byte[] out = new byte[new ZstdCompressor().maxCompressedLength(content.length)];
        int n = new ZstdCompressor().compress(content, 0, content.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }
}
