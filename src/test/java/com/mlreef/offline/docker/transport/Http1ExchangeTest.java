package com.mlreef.offline.docker.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP/1.1 codec against fixed bytes: both body framings, both directions, and broken answers. */
class Http1ExchangeTest {
    private final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    private HttpResponse answer(HttpRequest request, String response) throws IOException {
        return Http1Exchange.run(request, "docker", new ByteArrayInputStream(response.getBytes(StandardCharsets.ISO_8859_1)),
                sent, () -> { });
    }

    private static String body(HttpResponse response) throws IOException {
        return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void writesTheRequestHeadAndAJsonBody() throws IOException {
        HttpRequest request = new HttpRequest("POST", "/v1.41/volumes/create", Map.of(), RequestBody.json("{\"Name\":\"x\"}"));
        try (HttpResponse r = answer(request, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")) {
            assertEquals(201, r.status());
            assertEquals("{}", body(r));
        }
        String head = sent.toString(StandardCharsets.ISO_8859_1);
        assertTrue(head.startsWith("POST /v1.41/volumes/create HTTP/1.1\r\nHost: docker\r\n"), head);
        assertTrue(head.contains("Content-Type: application/json\r\nContent-Length: 12\r\n"), head);
        assertTrue(head.endsWith("\r\n\r\n{\"Name\":\"x\"}"), head);
    }

    @Test
    void streamsABodyOfUnknownLengthInChunks() throws Exception {
        byte[] payload = new byte[200_000];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        HttpRequest request = new HttpRequest("POST", "/images/load", Map.of(),
                RequestBody.stream(new ByteArrayInputStream(payload), -1, "application/x-tar"));
        // the body is written on its own thread: wait for the writer by reading until the last chunk is there
        try (HttpResponse r = answer(request, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")) {
            assertEquals(200, r.status());
        }
        long deadline = System.currentTimeMillis() + 5000;
        while (!sent.toString(StandardCharsets.ISO_8859_1).endsWith("0\r\n\r\n") && System.currentTimeMillis() < deadline) {
            Thread.sleep(10);
        }
        String wire = sent.toString(StandardCharsets.ISO_8859_1);
        assertTrue(wire.contains("Transfer-Encoding: chunked\r\n"), wire.substring(0, 200));
        InputStream chunked = new ByteArrayInputStream(wire.substring(wire.indexOf("\r\n\r\n") + 4)
                .getBytes(StandardCharsets.ISO_8859_1));
        assertEquals(new String(payload, StandardCharsets.ISO_8859_1),
                new String(new ChunkedInputStream(chunked).readAllBytes(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void decodesChunkedAndUntilCloseBodies() throws IOException {
        try (HttpResponse r = answer(HttpRequest.get("/x"),
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n")) {
            assertEquals("hello, world", body(r));
        }
        try (HttpResponse r = answer(HttpRequest.get("/x"), "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\nraw until close")) {
            assertEquals("raw until close", body(r));
            assertEquals("application/vnd.docker.raw-stream", r.header("content-type"));
        }
        try (HttpResponse r = answer(HttpRequest.get("/x"), "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")) {
            assertEquals(204, r.status());
            assertEquals("", body(r));
        }
    }

    @Test
    void aBodyCutShortIsAnErrorNotAShortBody() throws IOException {
        try (HttpResponse r = answer(HttpRequest.get("/x"), "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")) {
            assertThrows(EOFException.class, r.body()::readAllBytes);
        }
        try (HttpResponse r = answer(HttpRequest.get("/x"), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nabc")) {
            assertThrows(EOFException.class, r.body()::readAllBytes);
        }
    }

    @Test
    void somethingOtherThanHttpIsAProtocolError() {
        assertThrows(ProtocolException.class, () -> answer(HttpRequest.get("/x"), "SSH-2.0-OpenSSH_9.2\r\n"));
        assertThrows(ProtocolException.class, () -> answer(HttpRequest.get("/x"), "HTTP/1.1 abc OK\r\n\r\n"));
        assertThrows(EOFException.class, () -> answer(HttpRequest.get("/x"), ""));
    }

    @Test
    void aFailingBodySourceIsReportedInsteadOfTheBrokenConnection() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk read error in bundle file");
            }
        };
        HttpRequest request = new HttpRequest("POST", "/images/load", Map.of(),
                RequestBody.stream(failing, 100, "application/x-tar"));
        // a server that never answers: only the writer's failure (closing the connection) ends the wait
        java.io.PipedInputStream never = new java.io.PipedInputStream();
        java.io.PipedOutputStream keepOpen;
        try {
            keepOpen = new java.io.PipedOutputStream(never);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        IOException e = assertThrows(IOException.class, () -> Http1Exchange.run(request, "docker", never, sent,
                keepOpen::close));
        assertEquals("disk read error in bundle file", e.getMessage());
    }

    @Test
    void requestsWithLineBreaksInTargetOrHeadersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.get("/x HTTP/1.1\r\nEvil: 1"));
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.get("no-slash"));
        assertThrows(IllegalArgumentException.class, () -> HttpRequest.get("/x").withHeader("X", "a\r\nb: c"));
    }
}
