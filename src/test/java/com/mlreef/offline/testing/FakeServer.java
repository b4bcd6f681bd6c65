package com.mlreef.offline.testing;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A unix socket that answers every connection with fixed bytes: something that is not a Docker Engine. */
public final class FakeServer implements AutoCloseable {
    private final ServerSocketChannel server;
    private final Path socket;

    public FakeServer(Path socket, String answer) throws IOException {
        this.socket = socket;
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            while (server.isOpen()) {
                try (SocketChannel client = server.accept()) {
                    client.read(ByteBuffer.allocate(4096));
                    client.write(ByteBuffer.wrap(answer.getBytes(StandardCharsets.ISO_8859_1)));
                } catch (IOException e) {
                    // closed
                }
            }
        }, "fake-server");
        t.setDaemon(true);
        t.start();
    }

    public Path socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
    }
}
