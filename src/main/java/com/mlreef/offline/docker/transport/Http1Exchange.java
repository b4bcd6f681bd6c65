package com.mlreef.offline.docker.transport;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One HTTP/1.1 request and response on an open connection ({@code Connection: close}). Bodies of both directions are
 * streamed: Content-Length, chunked, or (response only) until the connection ends. A streamed request body is written
 * on its own thread while the response is read, so a server that answers while it still reads (docker load) cannot
 * deadlock against us.
 */
final class Http1Exchange {
    static final int BUFFER = 64 * 1024;
    private static final int MAX_HEAD = 64 * 1024;

    private Http1Exchange() {
    }

    static HttpResponse run(HttpRequest request, String hostHeader, InputStream rawIn, OutputStream rawOut,
                            Closeable connection) throws IOException {
        boolean ok = false;
        try {
            SocketWriteStream out = new SocketWriteStream(new BufferedOutputStream(rawOut, BUFFER));
            AtomicReference<IOException> sourceFailure = new AtomicReference<>();
            RequestBody body = request.body();
            SocketWriteException writeFailure = null;
            try {
                writeHead(request, hostHeader, out);
                if (body != null && body.inMemory()) {
                    writeBody(body, out);
                }
                out.flush();
            } catch (SocketWriteException e) {
                writeFailure = e; // the server may have answered before closing: read that first
            }
            if (writeFailure == null && body != null && !body.inMemory()) {
                startWritingBody(body, out, connection, sourceFailure);
            }
            BufferedInputStream in = new BufferedInputStream(rawIn, BUFFER);
            HttpResponse response;
            try {
                response = readResponse(in, request.method(), connection, sourceFailure);
            } catch (IOException e) {
                if (sourceFailure.get() != null) {
                    throw sourceFailure.get();
                }
                if (writeFailure != null && (e instanceof EOFException || e instanceof java.net.SocketException)) {
                    throw writeFailure;
                }
                throw e;
            }
            ok = true;
            return response;
        } finally {
            if (!ok) {
                closeQuietly(connection);
            }
        }
    }

    /** Streams the body on a thread of its own; a failure to read its source is kept for the response's reader. */
    private static void startWritingBody(RequestBody body, OutputStream out, Closeable connection,
                                         AtomicReference<IOException> sourceFailure) {
        Thread writer = new Thread(() -> {
            try {
                writeBody(body, out);
                out.flush();
            } catch (SocketWriteException e) {
                // the server stopped reading: its response says why
            } catch (Throwable e) {
                sourceFailure.set(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
                closeQuietly(connection); // the server would wait forever for the rest of the body
            }
        }, "request-body");
        writer.setDaemon(true);
        writer.start();
    }

    private static void writeHead(HttpRequest request, String hostHeader, OutputStream out) throws IOException {
        StringBuilder head = new StringBuilder(256);
        head.append(request.method()).append(' ').append(request.target()).append(" HTTP/1.1\r\n");
        head.append("Host: ").append(hostHeader).append("\r\n");
        head.append("User-Agent: mlreef-offline\r\n");
        head.append("Connection: close\r\n");
        RequestBody body = request.body();
        if (body != null) {
            head.append("Content-Type: ").append(body.contentType()).append("\r\n");
            if (body.length() >= 0) {
                head.append("Content-Length: ").append(body.length()).append("\r\n");
            } else {
                head.append("Transfer-Encoding: chunked\r\n");
            }
        } else if (!request.method().equals("GET") && !request.method().equals("HEAD")) {
            head.append("Content-Length: 0\r\n");
        }
        request.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private static void writeBody(RequestBody body, OutputStream out) throws IOException {
        if (body.length() >= 0) {
            body.writeTo(new NoCloseOutputStream(out));
        } else {
            ChunkedOutputStream chunked = new ChunkedOutputStream(out, BUFFER);
            body.writeTo(chunked);
            chunked.finish();
        }
    }

    private static HttpResponse readResponse(BufferedInputStream in, String method, Closeable connection,
                                             AtomicReference<IOException> sourceFailure) throws IOException {
        while (true) {
            String statusLine = readLine(in);
            if (statusLine == null) {
                throw new EOFException("the server closed the connection without answering");
            }
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new ProtocolException("not an HTTP answer: "
                        + statusLine.substring(0, Math.min(60, statusLine.length())));
            }
            int status;
            try {
                status = Integer.parseInt(parts[1]);
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad HTTP status line: " + statusLine);
            }
            Map<String, String> headers = readHeaders(in);
            if (status == 100) {
                continue;
            }
            InputStream body = bodyStream(in, status, method, headers);
            InputStream guarded = new SourceFailureInputStream(body, sourceFailure);
            return new HttpResponse(status, parts.length > 2 ? parts[2] : "", headers, guarded, connection);
        }
    }

    private static InputStream bodyStream(BufferedInputStream in, int status, String method, Map<String, String> headers)
            throws ProtocolException {
        if (method.equals("HEAD") || status == 204 || status == 304) {
            return InputStream.nullInputStream();
        }
        String encoding = headers.get("Transfer-Encoding");
        if (encoding != null && encoding.toLowerCase().contains("chunked")) {
            return new ChunkedInputStream(in);
        }
        String length = headers.get("Content-Length");
        if (length != null) {
            try {
                return new LengthLimitedInputStream(in, Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                throw new ProtocolException("bad Content-Length: " + length);
            }
        }
        return in; // until the connection closes (hijacked streams, HTTP/1.0-style answers)
    }

    private static Map<String, String> readHeaders(InputStream in) throws IOException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int total = 0;
        String line;
        while ((line = readLine(in)) != null && !line.isEmpty()) {
            total += line.length();
            if (total > MAX_HEAD) {
                throw new ProtocolException("HTTP response head larger than " + MAX_HEAD + " bytes");
            }
            int colon = line.indexOf(':');
            if (colon > 0) {
                headers.merge(line.substring(0, colon).trim(), line.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
            }
        }
        if (line == null) {
            throw new EOFException("the connection ended inside the HTTP response head");
        }
        return headers;
    }

    /** Reads a CRLF- (or LF-) terminated line as ISO-8859-1; null at the end of the stream before any byte. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                break;
            }
            if (line.size() >= MAX_HEAD) {
                throw new ProtocolException("HTTP line longer than " + MAX_HEAD + " bytes");
            }
            line.write(c);
        }
        if (c < 0 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        int n = bytes.length;
        if (n > 0 && bytes[n - 1] == '\r') {
            n--;
        }
        return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }

    static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing left to do with a connection that failed to close
        }
    }

    /** A write to the socket failed, as opposed to a failure of the stream that produces the body. */
    static final class SocketWriteException extends IOException {
        SocketWriteException(IOException cause) {
            super(cause.getMessage(), cause);
        }
    }

    private static final class SocketWriteStream extends FilterOutputStream {
        SocketWriteStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw new SocketWriteException(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw new SocketWriteException(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw new SocketWriteException(e);
            }
        }
    }

    private static final class NoCloseOutputStream extends FilterOutputStream {
        NoCloseOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            out.flush();
        }
    }

    /** Reports the request body's own failure (a file that could not be read) in place of the broken connection. */
    private static final class SourceFailureInputStream extends InputStream {
        private final InputStream in;
        private final AtomicReference<IOException> failure;

        SourceFailureInputStream(InputStream in, AtomicReference<IOException> failure) {
            this.in = in;
            this.failure = failure;
        }

        private IOException check(IOException e) {
            IOException f = failure.get();
            return f != null ? f : e;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw check(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = in.read(b, off, len);
                if (n < 0 && failure.get() != null) {
                    throw failure.get();
                }
                return n;
            } catch (IOException e) {
                throw check(e);
            }
        }

        @Override
        public int available() throws IOException {
            return in.available();
        }
    }
}
