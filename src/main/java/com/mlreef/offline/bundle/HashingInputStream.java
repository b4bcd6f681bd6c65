package com.mlreef.offline.bundle;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.IntConsumer;

/** Hashes (sha256) and counts what is read through it; tells {@code onRead} each piece's length. Stops on interrupt. */
public final class HashingInputStream extends FilterInputStream {
    private final MessageDigest digest = ImageFileWriter.sha256();
    private final IntConsumer onRead;
    private long count;

    public HashingInputStream(InputStream in, IntConsumer onRead) {
        super(in);
        this.onRead = onRead;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedIOException("interrupted");
        }
        int n = in.read(b, off, len);
        if (n > 0) {
            digest.update(b, off, n);
            count += n;
            onRead.accept(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(n, 64 << 10)];
        return Math.max(read(buffer, 0, buffer.length), 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    /** The sha256 (hex) of what was read; call once, at the end. */
    public String hex() {
        return HexFormat.of().formatHex(digest.digest());
    }
}
