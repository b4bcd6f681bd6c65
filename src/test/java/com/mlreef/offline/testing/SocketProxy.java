package com.mlreef.offline.testing;

import com.mlreef.offline.docker.transport.ChannelStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;

/**
 * Listens on a loopback TCP port (plain, or TLS when given a TLS server socket) and forwards each connection to the
 * engine's unix socket: a real engine reached over {@code tcp://} without reconfiguring the daemon.
 */
public final class SocketProxy implements AutoCloseable {
    private final ServerSocket server;
    private final Path target;
    private final Thread acceptor;

    public SocketProxy(ServerSocket server, Path target) {
        this.server = server;
        this.target = target;
        this.acceptor = new Thread(this::accept, "socket-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public static ServerSocket loopback() throws IOException {
        return new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                SocketChannel engine = SocketChannel.open(StandardProtocolFamily.UNIX);
                engine.connect(UnixDomainSocketAddress.of(target));
                pump(client.getInputStream(), ChannelStreams.output(engine), engine::shutdownOutput);
                pump(ChannelStreams.input(engine), client.getOutputStream(), client::close);
            } catch (IOException e) {
                // closed, or a client that failed its TLS handshake
            }
        }
    }

    private interface Closer {
        void close() throws IOException;
    }

    private static void pump(InputStream in, OutputStream out, Closer done) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
                out.flush();
            } catch (IOException e) {
                // either side went away
            } finally {
                try {
                    done.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }, "socket-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
