package com.mlreef.offline.docker.transport;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** HTTP/1.1 over a unix-domain socket, with the JDK's own {@link SocketChannel}: no native library needed. */
public final class UnixSocketTransport implements HttpTransport {
    private final Path socket;

    public UnixSocketTransport(Path socket) {
        this.socket = socket;
    }

    @Override
    public String address() {
        return "unix://" + socket;
    }

    @Override
    public HttpResponse exchange(HttpRequest request) throws IOException {
        SocketChannel channel = connect();
        return Http1Exchange.run(request, "docker", ChannelStreams.input(channel), ChannelStreams.output(channel), channel);
    }

    private SocketChannel connect() throws ConnectException {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        } catch (IOException | UnsupportedOperationException e) {
            throw new ConnectException("unix sockets are not supported here: " + e.getMessage(), e);
        }
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return channel;
        } catch (IOException e) {
            Http1Exchange.closeQuietly(channel);
            throw new ConnectException(reason(e), e);
        }
    }

    private String reason(IOException e) {
        String message = String.valueOf(e.getMessage()).toLowerCase();
        if (!Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS) || message.contains("no such file")) {
            return "socket " + socket + " does not exist; is the Docker Engine running? Start it, or point -H/DOCKER_HOST at it";
        }
        if (Files.isRegularFile(socket) || Files.isDirectory(socket)) {
            return socket + " is not a socket (it is a " + (Files.isDirectory(socket) ? "folder" : "file") + "); point"
                    + " -H/DOCKER_HOST at the Docker Engine's socket, as in unix:///var/run/docker.sock";
        }
        if (message.contains("permission denied") || message.contains("access denied")) {
            return "permission denied on " + socket + "; run as root or add your user to the docker group"
                    + " ('usermod -aG docker USER', then log in again)";
        }
        if (message.contains("connection refused")) {
            return "connection refused on " + socket + "; nothing listens there (the Docker Engine is not running)";
        }
        return e.getMessage();
    }
}
