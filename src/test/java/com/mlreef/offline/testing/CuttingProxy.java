package com.mlreef.offline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on 127.0.0.1 to a port of 127.0.0.1 that cuts the first connection whose answer passes {@code cutAfter}
 * bytes, there; every other connection passes whole. {@link #cuts()} tells how many were cut.
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int target;
    private final long cutAfter;
    private final AtomicInteger cuts = new AtomicInteger();

    public CuttingProxy(int target, long cutAfter) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.target = target;
        this.cutAfter = cutAfter;
        Thread accept = new Thread(this::accept, "cutting proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public int cuts() {
        return cuts.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                pipe(client, upstream, Long.MAX_VALUE);
                pipe(upstream, client, cutAfter);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, long limit) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            long sent = 0;
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    if (limit != Long.MAX_VALUE && sent + n > limit && cuts.compareAndSet(0, 1)) {
                        out.write(buffer, 0, (int) (limit - sent));
                        out.flush();
                        break;
                    }
                    out.write(buffer, 0, n);
                    sent += n;
                }
            } catch (IOException e) {
                // the other side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cutting proxy pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closed already
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
