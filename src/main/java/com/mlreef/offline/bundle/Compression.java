package com.mlreef.offline.bundle;

import com.fasterxml.jackson.annotation.JsonValue;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;

/**
 * How an image file in a bundle is compressed. Compressed files are written as independent pieces (gzip members,
 * zstd frames) so that both cores compress; {@code gzip -d}, {@code zstd -d} and {@code docker load} (gzip) read them
 * as one stream.
 */
@RegisterForReflection
public enum Compression {
    NONE("none", ""),
    GZIP("gzip", ".gz"),
    ZSTD("zstd", ".zst");

    private final String label;
    private final String suffix;

    Compression(String label, String suffix) {
        this.label = label;
        this.suffix = suffix;
    }

    @JsonValue
    public String label() {
        return label;
    }

    /** Appended to {@code .tar}: "", ".gz" or ".zst". */
    public String suffix() {
        return suffix;
    }

    public static Compression of(String label) {
        for (Compression c : values()) {
            if (c.label.equals(label.toLowerCase(Locale.ROOT))) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown compression '" + label + "' (none, gzip or zstd)");
    }

    /** A stream that compresses into {@code out} with up to {@code threads} threads; closing it finishes the file. */
    public OutputStream compressor(OutputStream out, int threads) {
        return switch (this) {
            case NONE -> out;
            case GZIP -> new ParallelCompressor(out, ParallelCompressor.Codec.GZIP, threads);
            case ZSTD -> new ParallelCompressor(out, ParallelCompressor.Codec.ZSTD, threads);
        };
    }

    /** The uncompressed bytes of {@code in}. */
    public InputStream decompressor(InputStream in) throws IOException {
        return switch (this) {
            case NONE -> in;
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case ZSTD -> new ZstdFrames(in); // skippable frames too, as pzstd writes them
        };
    }

    /**
     * A compression that docker load reads and this tool does not, recognised from a file's first bytes: what to say
     * of it ("xz-compressed"), or null.
     */
    public static String unsupported(BufferedInputStream in) throws IOException {
        in.mark(6);
        byte[] magic = in.readNBytes(6);
        in.reset();
        if (magic.length == 6 && (magic[0] & 0xff) == 0xfd && magic[1] == '7' && magic[2] == 'z' && magic[3] == 'X'
                && magic[4] == 'Z' && magic[5] == 0) {
            return "xz-compressed";
        }
        if (magic.length >= 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
            return "bzip2-compressed";
        }
        return null;
    }

    /** Recognises a file's compression from its first bytes (a tar starts with a file name, never with these). */
    public static Compression detect(BufferedInputStream in) throws IOException {
        in.mark(4);
        byte[] magic = in.readNBytes(4);
        in.reset();
        if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
            return GZIP;
        }
        if (magic.length == 4 && (magic[0] & 0xff) == 0x28 && (magic[1] & 0xff) == 0xb5 && (magic[2] & 0xff) == 0x2f
                && (magic[3] & 0xff) == 0xfd) {
            return ZSTD;
        }
        if (magic.length == 4 && (magic[0] & 0xf0) == 0x50 && (magic[1] & 0xff) == 0x2a && (magic[2] & 0xff) == 0x4d
                && (magic[3] & 0xff) == 0x18) {
            return ZSTD; // a skippable frame first, as pzstd writes
        }
        return NONE;
    }
}
