package com.mlreef.offline.push;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * The PATCH that carries a blob's bytes, on a connection of its own (HTTP/1.1, {@code Connection: close}), the
 * bytes written as the source gives them. Over plain http a blob of an uncompressed file goes from the file to the
 * socket inside the kernel (they never pass through the process), which leaves the CPU to the registry, the
 * bottleneck on one host; over https, or from a decompressed stream, the bytes are copied with a large buffer.
 */
final class BlobPatch {
    private static final int CONNECT_MILLIS = 30_000;
    private static final int READ_MILLIS = 600_000;
    private static final int BUFFER = 1 << 18;
    private static final long SLICE = 8L << 20;
    private static final int MAX_ANSWER = 64 << 10;

    /** The registry's answer: status, headers (names lower-case) and the start of its body. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private BlobPatch() {
    }

    /**
     * Sends bytes {@code [from, size)} of the blob to the upload at {@code location}; progress is told the offset
     * reached. A registry that stops reading and answers (a 401) has its answer returned.
     */
    static Answer send(URI location, String authorization, BlobUpload.Source source, long from, long size,
                       LongConsumer progress) throws IOException {
        boolean tls = "https".equalsIgnoreCase(location.getScheme());
        if (!tls && !"http".equalsIgnoreCase(location.getScheme())) {
            throw new IOException("the registry's upload location " + location + " is not http or https");
        }
        int port = location.getPort() > 0 ? location.getPort() : tls ? 443 : 80;
        String head = head(location, authorization, from, size);
        if (tls) {
            try (Socket socket = tls(location.getHost(), port)) {
                return exchange(head, socket.getInputStream(), () -> copy(source, from, size, progress,
                        socket.getOutputStream(), head));
            }
        }
        try (SocketChannel channel = SocketChannel.open()) {
            channel.socket().setTcpNoDelay(true);
            channel.socket().connect(new InetSocketAddress(location.getHost(), port), CONNECT_MILLIS);
            channel.socket().setSoTimeout(READ_MILLIS);
            InputStream in = channel.socket().getInputStream();
            if (source instanceof BlobUpload.FileRange range) {
                return exchange(head, in, () -> transfer(range, from, size, progress, channel, head));
            }
            return exchange(head, in, () -> copy(source, from, size, progress, channel.socket().getOutputStream(),
                    head));
        }
    }

    private interface Body {
        void write() throws IOException;
    }

    /** The blob's source failed (not the connection): no answer is waited for. */
    private static final class SourceFailure extends IOException {
        SourceFailure(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    /** Writes the request; a write that fails may follow an answer the registry gave before it stopped reading. */
    private static Answer exchange(String head, InputStream in, Body body) throws IOException {
        try {
            body.write();
        } catch (SourceFailure failed) {
            throw (IOException) failed.getCause();
        } catch (IOException written) {
            try {
                return answer(in);
            } catch (IOException unanswered) {
                throw written;
            }
        }
        return answer(in);
    }

    private static String head(URI location, String authorization, long from, long size) {
        String target = (location.getRawPath() == null || location.getRawPath().isEmpty() ? "/"
                : location.getRawPath()) + (location.getRawQuery() == null ? "" : "?" + location.getRawQuery());
        String host = location.getHost() + (location.getPort() > 0 ? ":" + location.getPort() : "");
        StringBuilder head = new StringBuilder(512).append("PATCH ").append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host).append("\r\n")
                .append("User-Agent: mlreef-offline\r\n")
                .append("Content-Type: application/octet-stream\r\n")
                .append("Content-Range: ").append(from).append('-').append(size - 1).append("\r\n")
                .append("Content-Length: ").append(size - from).append("\r\n");
        if (authorization != null) {
            head.append("Authorization: ").append(authorization).append("\r\n");
        }
        String text = head.append("Connection: close\r\n\r\n").toString();
        if (text.chars().anyMatch(c -> c == 0 || c > 0x7e && c != '\r' && c != '\n')) {
            throw new IllegalArgumentException("a header of the upload holds a character HTTP does not allow");
        }
        return text;
    }

    /** The file's bytes copied to the socket by the kernel, a slice at a time so that progress moves. */
    private static void transfer(BlobUpload.FileRange range, long from, long size, LongConsumer progress,
                                 SocketChannel channel, String head) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(head.getBytes(StandardCharsets.ISO_8859_1));
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
        FileChannel opened;
        try {
            opened = FileChannel.open(range.file(), StandardOpenOption.READ);
        } catch (IOException e) {
            throw new SourceFailure(e);
        }
        try (FileChannel file = opened) {
            long at = from;
            while (at < size) {
                long n = file.transferTo(range.offset() + at, Math.min(SLICE, size - at), channel);
                if (n <= 0) {
                    throw new SourceFailure(new IOException(range.file() + " ended before byte "
                            + (range.offset() + size)));
                }
                at += n;
                progress.accept(at);
            }
        }
    }

    /** The source's bytes copied to the connection. */
    private static void copy(BlobUpload.Source source, long from, long size, LongConsumer progress,
                             OutputStream out, String head) throws IOException {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
        byte[] buffer = new byte[BUFFER];
        InputStream opened;
        try {
            opened = source.open(from);
        } catch (IOException e) {
            throw new SourceFailure(e);
        }
        try (InputStream in = opened) {
            long at = from;
            while (at < size) {
                int n = read(in, buffer, (int) Math.min(buffer.length, size - at));
                if (n < 0) {
                    throw new SourceFailure(new IOException("the blob's bytes ended at " + at + " of " + size));
                }
                out.write(buffer, 0, n);
                at += n;
                progress.accept(at);
            }
        }
        out.flush();
    }

    private static int read(InputStream in, byte[] buffer, int length) throws SourceFailure {
        try {
            return in.read(buffer, 0, length);
        } catch (IOException e) {
            throw new SourceFailure(e);
        }
    }

    private static Socket tls(String host, int port) throws IOException {
        Socket plain = new Socket();
        try {
            plain.setTcpNoDelay(true);
            plain.connect(new InetSocketAddress(host, port), CONNECT_MILLIS);
            plain.setSoTimeout(READ_MILLIS);
            SSLSocket socket = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket(plain, host, port,
                    true);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return socket;
        } catch (IOException | NoSuchAlgorithmException | RuntimeException e) {
            plain.close();
            throw e instanceof IOException io ? io : new IOException(e.getMessage(), e);
        }
    }

    /** Reads the answer's status line, headers and up to {@value #MAX_ANSWER} bytes of its body. */
    static Answer answer(InputStream raw) throws IOException {
        InputStream in = new BufferedInputStream(raw, 8192);
        String status = line(in);
        String[] parts = status == null ? new String[0] : status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("[0-9]{3}")) {
            throw new IOException(status == null ? "the registry closed the connection without answering"
                    : "not an HTTP answer: " + status.substring(0, Math.min(60, status.length())));
        }
        Map<String, String> headers = new TreeMap<>();
        String header;
        while ((header = line(in)) != null && !header.isEmpty()) {
            int colon = header.indexOf(':');
            if (colon > 0) {
                headers.putIfAbsent(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
        }
        String length = headers.get("content-length");
        int limit = length != null && length.matches("[0-9]{1,9}") ? Math.min(MAX_ANSWER, Integer.parseInt(length))
                : MAX_ANSWER;
        byte[] body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? dechunked(in, limit)
                : in.readNBytes(limit);
        return new Answer(Integer.parseInt(parts[1]), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunked(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String size;
        while (body.size() < limit && (size = line(in)) != null) {
            String hex = size.replaceFirst(";.*", "").trim();
            if (!hex.matches("[0-9a-fA-F]{1,7}") || Integer.parseInt(hex, 16) == 0) {
                break;
            }
            body.write(in.readNBytes(Math.min(Integer.parseInt(hex, 16), limit - body.size())));
            line(in);
        }
        return body.toByteArray();
    }

    /** One line ended by CRLF or LF, without it; null at the end; refused past 8 KiB. */
    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            if (line.size() > 8192) {
                throw new IOException("the registry's answer has a line longer than 8 KiB");
            }
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.ISO_8859_1);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }
}
