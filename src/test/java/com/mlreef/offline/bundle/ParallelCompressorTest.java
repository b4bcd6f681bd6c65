package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Compressed pieces read back as one stream by the JDK's gzip reader and the zstd reader, at every edge. */
class ParallelCompressorTest {
    private static final int CHUNK = ParallelCompressor.CHUNK;

    private static byte[] data(int size, boolean random) {
        byte[] bytes = new byte[size];
        if (random) {
            new Random(size).nextBytes(bytes);
        } else {
            byte[] line = "a line of text that compresses well\n".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < size; i++) {
                bytes[i] = line[i % line.length];
            }
        }
        return bytes;
    }

    private static byte[] roundTrip(Compression compression, byte[] input, int writeSize, int threads)
            throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = compression.compressor(file, threads)) {
            for (int off = 0; off < input.length; off += writeSize) {
                out.write(input, off, Math.min(writeSize, input.length - off));
            }
        }
        try (InputStream in = compression.decompressor(new ByteArrayInputStream(file.toByteArray()))) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
    void everySizeAroundThePieceBoundaryReadsBack(Compression compression) throws IOException {
        for (int size : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12345}) {
            for (boolean random : new boolean[] {true, false}) {
                byte[] input = data(size, random);
                assertArrayEquals(input, roundTrip(compression, input, 65536, 2), compression + " " + size);
                assertArrayEquals(input, roundTrip(compression, input, 7, 1), compression + " small writes " + size);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
    void textShrinksAndRandomDataGrowsByLessThanAPercent(Compression compression) throws IOException {
        byte[] text = data(2 * CHUNK, false);
        ByteArrayOutputStream small = new ByteArrayOutputStream();
        try (OutputStream out = compression.compressor(small, 2)) {
            out.write(text);
        }
        assertTrue(small.size() < text.length / 20, compression + " text: " + small.size());
        byte[] random = data(2 * CHUNK, true);
        ByteArrayOutputStream big = new ByteArrayOutputStream();
        try (OutputStream out = compression.compressor(big, 2)) {
            out.write(random);
        }
        assertTrue(big.size() < random.length * 1.01, compression + " random: " + big.size());
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
    void aPieceThatStartsRandomAndEndsInTextIsCompressed(Compression compression) throws IOException {
        byte[] piece = data(CHUNK, false);
        System.arraycopy(data(CHUNK / 2, true), 0, piece, 0, CHUNK / 2); // the end of a random file, then text
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream compressor = compression.compressor(out, 2)) {
            compressor.write(piece);
        }
        assertTrue(out.size() < piece.length * 0.6, compression + ": " + out.size() + " of " + piece.length);
    }

    @org.junit.jupiter.api.Test
    void rawZstdFramesAreStandardFrames() throws Exception {
        byte[] random = data(3 * 128 * 1024 + 5, true);
        byte[] frame = new byte[random.length + 1024];
        int n = ParallelCompressor.zstdRawFrame(random, random.length, frame);
        assertEquals(9 + random.length + 4 * 3, n);
        try (InputStream in = Compression.ZSTD.decompressor(new ByteArrayInputStream(frame, 0, n))) {
            assertArrayEquals(random, in.readAllBytes());
        }
        // and the zstd tool reads it (the tool is there wherever the tests run: scripts/engine-up.sh installs it)
        java.nio.file.Path file = java.nio.file.Files.createTempFile("raw", ".zst");
        try {
            java.nio.file.Files.write(file, java.util.Arrays.copyOf(frame, n));
            Process p = new ProcessBuilder("zstd", "-q", "-d", "-c", file.toString()).start();
            byte[] out = p.getInputStream().readAllBytes();
            assertEquals(0, p.waitFor(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
            assertArrayEquals(random, out);
        } finally {
            java.nio.file.Files.delete(file);
        }
    }

    @ParameterizedTest
    @EnumSource(Compression.class)
    void theFirstBytesTellTheCompression(Compression compression) throws IOException {
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        try (OutputStream out = compression.compressor(file, 1)) {
            out.write(data(1000, false));
        }
        try (var in = new java.io.BufferedInputStream(new ByteArrayInputStream(file.toByteArray()))) {
            assertEquals(compression, Compression.detect(in));
        }
    }
}
