package com.mlreef.offline.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mlreef.offline.docker.model.ProgressMessage;
import com.mlreef.offline.docker.model.VersionInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Multiplexed output frames, JSON progress lines and API version negotiation, without an engine. */
class StreamDecodingTest {

    private static byte[] frame(int stream, String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) stream, 0, 0, 0, 0, 0, (byte) (payload.length >> 8), (byte) payload.length});
        out.writeBytes(payload);
        return out.toByteArray();
    }

    @Test
    void framesAreSplitIntoStdoutAndStderr() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(frame(1, "out-1\n"));
        all.writeBytes(frame(2, "err-1\n"));
        all.writeBytes(frame(1, "x".repeat(300)));
        StringBuilder out = new StringBuilder();
        StringBuilder err = new StringBuilder();
        StreamDemultiplexer.copy(new ByteArrayInputStream(all.toByteArray()), (s, b, off, len) ->
                (s == OutputSink.Stream.STDOUT ? out : err).append(new String(b, off, len, StandardCharsets.UTF_8)));
        assertEquals("out-1\n" + "x".repeat(300), out.toString());
        assertEquals("err-1\n", err.toString());

        byte[] cut = java.util.Arrays.copyOf(frame(1, "truncated"), 12);
        assertThrows(EOFException.class, () -> StreamDemultiplexer.copy(new ByteArrayInputStream(cut), (s, b, o, l) -> { }));
    }

    @Test
    void progressLinesArriveOneByOneEvenWhenSplitAcrossReads() throws IOException {
        String text = "{\"status\":\"Pulling fs layer\",\"id\":\"a\"}\r\n"
                + "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":10,\"total\":100},\"id\":\"a\"}\r\n"
                + "{\"stream\":\"Loaded image: x:1\\n\"}";
        InputStream trickle = new InputStream() {
            private final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            private int pos;

            @Override
            public int read() {
                return pos < bytes.length ? bytes[pos++] : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos >= bytes.length) {
                    return -1;
                }
                int n = Math.min(7, Math.min(len, bytes.length - pos)); // seven bytes at a time
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
        List<ProgressMessage> messages = new ArrayList<>();
        JsonLines.read(trickle, DockerJson.MAPPER, "pulling x", messages::add);
        assertEquals(3, messages.size());
        assertEquals(10L, messages.get(1).progressDetail().current());
        assertEquals("Loaded image: x:1\n", messages.get(2).stream());
    }

    @Test
    void anErrorInsideA200StreamFailsTheCall() {
        String text = "{\"status\":\"Pulling fs layer\"}\n"
                + "{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest unknown\"}\n";
        List<ProgressMessage> messages = new ArrayList<>();
        ApiException e = assertThrows(ApiException.class, () -> JsonLines.read(
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), DockerJson.MAPPER, "pulling x", messages::add));
        assertEquals("pulling x: manifest unknown", e.getMessage());
        assertEquals(1, messages.size());
    }

    @Test
    void negotiationPrefers141AndFollowsTheEnginesMinimum() {
        assertEquals("1.41", DockerClient.negotiate(new VersionInfo("20.10.24", "1.41", "1.12", "linux", "amd64", null, null)));
        assertEquals("1.41", DockerClient.negotiate(new VersionInfo("27.0", "1.46", "1.24", "linux", "amd64", null, null)));
        assertEquals("1.44", DockerClient.negotiate(new VersionInfo("29.0", "1.52", "1.44", "linux", "amd64", null, null)));
        DockerException old = assertThrows(DockerException.class,
                () -> DockerClient.negotiate(new VersionInfo("19.03", "1.40", "1.12", "linux", "amd64", null, null)));
        assertTrue(old.getMessage().contains("needs API 1.41"), old.getMessage());
        assertTrue(ApiVersion.parse("1.9").compareTo(ApiVersion.parse("1.41")) < 0);
    }

    @Test
    void pathValuesAreEncoded() {
        assertEquals("127.0.0.1:5000/a/b:1", DockerClient.segment("127.0.0.1:5000/a/b:1"));
        assertEquals("x%20y%3Fz", DockerClient.segment("x y?z"));
        assertThrows(IllegalArgumentException.class, () -> DockerClient.segment(""));
    }
}
