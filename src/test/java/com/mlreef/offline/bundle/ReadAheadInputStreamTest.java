package com.mlreef.offline.bundle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReadAheadInputStreamTest {

    private static byte[] content(int size) {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return bytes;
    }

    /** A source that returns a few bytes per read, as a decompressor does. */
    private static InputStream trickling(byte[] bytes) {
        return new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return in.read(b, off, Math.min(len, 777));
            }
        };
    }

    @Test
    void passesEveryByteThroughInOrder() throws IOException {
        for (int size : new int[] {0, 1, 4095, 4096, 4097, 3 * 4096, 100_003}) {
            byte[] bytes = content(size);
            try (InputStream in = new ReadAheadInputStream(trickling(bytes), 4096, 3, "test")) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buffer = new byte[1000];
                int n;
                while ((n = in.read(buffer, 0, buffer.length)) >= 0) {
                    out.write(buffer, 0, n);
                }
                assertArrayEquals(bytes, out.toByteArray(), "size " + size);
                assertEquals(-1, in.read(), "stays at its end");
            }
        }
    }

    @Test
    void transfersTheRestAfterAPartialRead() throws IOException {
        byte[] bytes = content(50_001);
        try (InputStream in = new ReadAheadInputStream(trickling(bytes), 4096, 3, "test")) {
            byte[] first = in.readNBytes(5000);
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            assertEquals(bytes.length - 5000, in.transferTo(rest));
            assertArrayEquals(Arrays.copyOfRange(bytes, 0, 5000), first);
            assertArrayEquals(Arrays.copyOfRange(bytes, 5000, bytes.length), rest.toByteArray());
            assertEquals(0, in.transferTo(rest));
        }
    }

    @Test
    void throwsTheSourcesFailureAfterTheBytesBeforeIt() throws IOException {
        byte[] bytes = content(10_000);
        IOException broken = new IOException("truncated file");
        InputStream failing = new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) {
                    throw broken;
                }
                return n;
            }
        };
        try (InputStream in = new ReadAheadInputStream(failing, 4096, 2, "test")) {
            byte[] got = new byte[bytes.length];
            int read = 0;
            IOException thrown = null;
            try {
                int n;
                while ((n = in.read(got, read, got.length - read)) > 0) {
                    read += n;
                }
                in.read();
            } catch (IOException e) {
                thrown = e;
            }
            assertEquals(bytes.length, read);
            assertArrayEquals(bytes, got);
            assertSame(broken, thrown);
            assertSame(broken, assertThrows(IOException.class, in::read), "and again on the next read");
        }
    }

    @Test
    void stopLeavesTheSourceOpenWhereTheThreadLeftIt() throws IOException {
        byte[] bytes = content(50_000);
        AtomicBoolean closed = new AtomicBoolean();
        InputStream source = new FilterInputStream(new ByteArrayInputStream(bytes)) {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        ReadAheadInputStream in = new ReadAheadInputStream(source, 4096, 2, "test");
        byte[] first = in.readNBytes(100);
        in.stop();
        assertThrows(IOException.class, in::read, "no reads after stop");
        // what the thread had read ahead is lost to this stream, the rest is in the source
        byte[] rest = source.readAllBytes();
        int ahead = bytes.length - rest.length;
        assertTrue(ahead >= 100 && ahead <= 2 * 4096, "read ahead " + ahead + " bytes: at most its two buffers");
        assertArrayEquals(Arrays.copyOfRange(bytes, 0, 100), first);
        assertArrayEquals(Arrays.copyOfRange(bytes, ahead, bytes.length), rest);
        assertEquals(false, closed.get());
        in.close();
        assertEquals(true, closed.get(), "close closes the source");
    }

    @Test
    void stopWakesAReaderWaitingOnAnotherThread() throws Exception {
        // a source that gives its first piece, then blocks until released: the reader waits for the next piece
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        InputStream slow = new InputStream() {
            private int calls;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (calls++ == 0) {
                    return len; // a full buffer
                }
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
                return Math.min(len, 10); // more to come: only stop() ends the stream

            }
        };
        ReadAheadInputStream in = new ReadAheadInputStream(slow, 1024, 2, "test");
        java.util.concurrent.CompletableFuture<Throwable> reader = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        in.transferTo(java.io.OutputStream.nullOutputStream());
                        return null;
                    } catch (IOException e) {
                        return e;
                    }
                });
        Thread.sleep(100); // the reader has the first piece and waits for the second
        Thread stopper = new Thread(in::stop);
        stopper.start();
        while (stopper.getState() != Thread.State.WAITING) { // stop() has asked the thread to end and waits for it
            Thread.sleep(1);
        }
        release.countDown(); // the source's read returns: the thread ends
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> stopper.join());
        Throwable failure = assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), () -> reader.get());
        assertTrue(failure instanceof IOException, "the reader is told the stream was stopped: " + failure);
    }

    @Test
    void closeStopsAThreadWaitingForRoom() throws Exception {
        ReadAheadInputStream in = new ReadAheadInputStream(new ByteArrayInputStream(content(1 << 20)), 1024, 2,
                "read-ahead close test");
        Thread.sleep(50); // the thread fills both buffers and waits
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(10), in::close);
        assertThrows(IOException.class, in::read);
        long threads = Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("read-ahead close test")).count();
        assertEquals(0, threads, "the thread has ended");
    }
}
