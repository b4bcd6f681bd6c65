package com.mlreef.offline.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
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
                // the channel's own streams share one lock: a blocked read would stop the other direction's write
                pump(client.getInputStream(), new ChannelOutput(engine), engine::shutdownOutput);
                pump(new ChannelInput(engine), client.getOutputStream(), client::close);
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

    private static final class ChannelInput extends InputStream {
        private final SocketChannel channel;

        ChannelInput(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return channel.read(ByteBuffer.wrap(b, off, len));
        }
    }

    private static final class ChannelOutput extends OutputStream {
        private final SocketChannel channel;

        ChannelOutput(SocketChannel channel) {
            this.channel = channel;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(b, off, len);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        }
    }
}
