package com.mlreef.offline.push;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PATCH of a blob's bytes against a server of the test's own that records what arrives: the bytes of a file's
 * range (sent by the kernel) or of a stream, the headers the registry needs, and an answer given before the body
 * was read.
 */
class BlobPatchTest {
    @TempDir
    Path tmp;

    /** What the server received: the request head and the body. */
    private record Received(String head, byte[] body) {
    }

    /** Accepts one connection, reads the head and {@code bodyBytes} of the body, answers {@code answer}. */
    private static CompletableFuture<Received> serve(ServerSocket server, int bodyBytes, String answer) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket socket = server.accept()) {
                InputStream in = socket.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    head.write(in.read());
                }
                byte[] body = in.readNBytes(bodyBytes);
                socket.getOutputStream().write(answer.getBytes(StandardCharsets.ISO_8859_1));
                socket.getOutputStream().flush();
                socket.shutdownOutput();
                return new Received(head.toString(StandardCharsets.ISO_8859_1), body);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        return bytes;
    }

    @Test
    void aFilesRangeArrivesFromTheOffsetAskedWithTheHeadersTheRegistryNeeds() throws Exception {
        byte[] file = random(3 << 20);
        Path path = Files.write(tmp.resolve("archive.tar"), file);
        long offset = 1000;
        long size = 2_500_000;
        long from = 700_000;
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Received> received = serve(server, (int) (size - from), "HTTP/1.1 202 Accepted\r\n"
                    + "Location: /v2/a/blobs/uploads/u2?_state=x\r\nContent-Length: 0\r\n\r\n");
            List<Long> progress = new ArrayList<>();
            URI location = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/a/blobs/uploads/u1?_state=s");
            BlobPatch.Answer answer = BlobPatch.send(location, "Bearer t0k3n", new BlobUpload.FileRange(path,
                    offset, size), from, size, progress::add);
            assertEquals(202, answer.status());
            assertEquals("/v2/a/blobs/uploads/u2?_state=x", answer.header("Location"));
            Received r = received.get(30, TimeUnit.SECONDS);
            assertArrayEquals(Arrays.copyOfRange(file, (int) (offset + from), (int) (offset + size)), r.body());
            assertTrue(r.head().startsWith("PATCH /v2/a/blobs/uploads/u1?_state=s HTTP/1.1\r\n"), r.head());
            for (String header : List.of("Content-Range: 700000-2499999", "Content-Length: 1800000",
                    "Authorization: Bearer t0k3n", "Content-Type: application/octet-stream",
                    "Host: 127.0.0.1:" + server.getLocalPort())) {
                assertTrue(r.head().contains("\r\n" + header + "\r\n"), header + " in " + r.head());
            }
            assertEquals(size, progress.get(progress.size() - 1));
        }
    }

    @Test
    void aStreamsBytesArriveAndNoAuthorizationIsSentWhileNoneIsAsked() throws Exception {
        byte[] blob = random(1 << 20);
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Received> received = serve(server, blob.length, "HTTP/1.1 202 Accepted\r\n"
                    + "Location: /next\r\n\r\n");
            URI location = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/a/blobs/uploads/u1");
            BlobPatch.Answer answer = BlobPatch.send(location, null, from -> new ByteArrayInputStream(blob,
                    (int) from, blob.length), 0, blob.length, n -> { });
            assertEquals(202, answer.status());
            Received r = received.get(30, TimeUnit.SECONDS);
            assertArrayEquals(blob, r.body());
            assertTrue(!r.head().contains("Authorization"), r.head());
        }
    }

    @Test
    void anAnswerGivenBeforeTheBodyWasReadIsReturned() throws Exception {
        Path path = Files.write(tmp.resolve("big"), random(16 << 20));
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String challenge = "Bearer realm=\"http://127.0.0.1:1/token\",service=\"r\",scope=\"repository:a:push\"";
            CompletableFuture<Received> received = serve(server, 0, "HTTP/1.1 401 Unauthorized\r\n"
                    + "WWW-Authenticate: " + challenge + "\r\nContent-Length: 16\r\n\r\n{\"errors\":[1,2]}");
            URI location = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/v2/a/blobs/uploads/u1");
            BlobPatch.Answer answer = BlobPatch.send(location, null, new BlobUpload.FileRange(path, 0, 16 << 20), 0,
                    16 << 20, n -> { });
            received.get(30, TimeUnit.SECONDS);
            assertEquals(401, answer.status());
            assertEquals(challenge, answer.header("www-authenticate"));
            assertEquals("{\"errors\":[1,2]}", answer.body());
        }
    }

    @Test
    void answersAreReadWithTheirLengthChunkedOrNot() throws Exception {
        BlobPatch.Answer chunked = BlobPatch.answer(new ByteArrayInputStream(("HTTP/1.1 400 Bad Request\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals(400, chunked.status());
        assertEquals("hello world", chunked.body());
        BlobPatch.Answer sized = BlobPatch.answer(new ByteArrayInputStream(("HTTP/1.1 202 Accepted\n"
                + "Content-Length: 3\nLOCATION: /x\n\nabcdef").getBytes(StandardCharsets.ISO_8859_1)));
        assertEquals("abc", sized.body());
        assertEquals("/x", sized.header("Location"));
        assertThrows(IOException.class, () -> BlobPatch.answer(new ByteArrayInputStream(new byte[0])));
        assertThrows(IOException.class, () -> BlobPatch.answer(new ByteArrayInputStream("SSH-2.0-x\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1))));
    }
}
