package com.mlreef.offline.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy in front of a registry: forwards each connection to it, records what clients send (the requests'
 * lines are counted), and can cut the connection once, abruptly, after a number of bytes sent through it.
 */
public final class RegistryProxy implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicBoolean cut = new AtomicBoolean();
    private volatile long cutAfter = -1;
    private volatile String dropMethod;
    private volatile int dropAt;
    private final java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
    private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
    private volatile boolean recording;

    public RegistryProxy(InetAddress address, InetSocketAddress target) throws IOException {
        this.server = new ServerSocket(0, 50, address);
        this.target = target;
        Thread acceptor = new Thread(this::accept, "registry-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Cuts the connection carrying the byte number {@code bytes} (counted from now), once. */
    public void cutAfter(long bytes) {
        sent.set(0);
        cut.set(false);
        cutAfter = bytes;
    }

    /**
     * Closes the connection that carries the {@code nth} request of {@code method} (counted from now) before any of
     * it reaches the registry, once.
     */
    public void dropRequest(String method, int nth) {
        seen.set(0);
        cut.set(false);
        dropMethod = method;
        dropAt = nth;
    }

    public boolean wasCut() {
        return cut.get();
    }

    /** Keeps what clients send from now (headers and bodies: only for pushes that send little). */
    public synchronized void record() {
        recorded.reset();
        recording = true;
    }

    /** How many requests of the method the clients sent since {@link #record}. */
    public synchronized int requests(String method) {
        String text = recorded.toString(StandardCharsets.ISO_8859_1);
        int count = 0;
        for (String line : text.split("\r\n")) {
            if (line.startsWith(method + " /v2/")) {
                count++;
            }
        }
        return count;
    }

    private synchronized void keep(byte[] b, int n) {
        if (recording) {
            recorded.write(b, 0, n);
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket registry = new Socket(target.getAddress(), target.getPort());
                pump(client, registry, true);
                pump(registry, client, false);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void pump(Socket from, Socket to, boolean upstream) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (upstream && dropMethod != null && startsWith(buffer, n, dropMethod + " /v2/")
                            && seen.incrementAndGet() == dropAt && cut.compareAndSet(false, true)) {
                        from.setSoLinger(true, 0);
                        from.close();
                        to.close();
                        return;
                    }
                    if (upstream) {
                        keep(buffer, n);
                        long total = sent.addAndGet(n);
                        if (cutAfter >= 0 && total >= cutAfter && cut.compareAndSet(false, true)) {
                            out.write(buffer, 0, n / 2);
                            out.flush();
                            from.setSoLinger(true, 0);
                            from.close();
                            to.close();
                            return;
                        }
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // either side went away
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closed already
                }
            }
        }, "registry-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static boolean startsWith(byte[] buffer, int n, String text) {
        byte[] prefix = text.getBytes(StandardCharsets.ISO_8859_1);
        return n >= prefix.length && java.util.Arrays.equals(buffer, 0, prefix.length, prefix, 0, prefix.length);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
