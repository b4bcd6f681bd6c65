package com.mlreef.offline.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mlreef.offline.docker.model.ProgressMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** Reads a JSON progress stream one object per line, as each line arrives; an error inside it is thrown. */
final class JsonLines {
    private static final int MAX_LINE = 1024 * 1024;

    private JsonLines() {
    }

    static void read(InputStream in, ObjectMapper mapper, String call, ProgressListener listener) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    line.write(buffer, start, i - start);
                    handle(line, mapper, call, listener);
                    line.reset();
                    start = i + 1;
                }
            }
            line.write(buffer, start, n - start);
            if (line.size() > MAX_LINE) {
                throw new IOException(call + ": a progress message longer than " + MAX_LINE + " bytes");
            }
        }
        handle(line, mapper, call, listener);
    }

    private static void handle(ByteArrayOutputStream line, ObjectMapper mapper, String call, ProgressListener listener)
            throws IOException {
        String text = line.toString(StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            return;
        }
        ProgressMessage message;
        try {
            message = mapper.readValue(text, ProgressMessage.class);
        } catch (JsonProcessingException e) {
            throw new IOException(call + ": unreadable progress message: "
                    + text.substring(0, Math.min(200, text.length())), e);
        }
        if (message.errorText() != null) {
            throw new ApiException(call, 0, message.errorText());
        }
        listener.onProgress(message);
    }
}
