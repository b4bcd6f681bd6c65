package com.mlreef.offline.docker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.mlreef.offline.docker.transport.HttpResponse;
import java.io.IOException;

/** What the engine's failures become: typed exceptions carrying the daemon's own message. */
final class EngineErrors {
    private static final int ERROR_BODY_LIMIT = 64 * 1024;

    private EngineErrors() {
    }

    /** Throws for any status but 2xx and 304: 404 as not found, 409 as conflict, others as an API error. */
    static void check(String call, HttpResponse response) throws IOException {
        int status = response.status();
        if (status >= 200 && status < 300 || status == 304) {
            return;
        }
        String message = errorMessage(response);
        switch (status) {
            case 404 -> throw new NotFoundException(call, message);
            case 409 -> throw new ConflictException(call, message);
            default -> throw new ApiException(call, status, message);
        }
    }

    private static String errorMessage(HttpResponse response) throws IOException {
        String text = response.bodyText(ERROR_BODY_LIMIT).trim();
        if (text.startsWith("{")) {
            try {
                JsonNode node = DockerJson.MAPPER.readTree(text);
                if (node.hasNonNull("message")) {
                    return node.get("message").asText();
                }
            } catch (JsonProcessingException e) {
                // not the engine's JSON: show the text as it is
            }
        }
        return text.isEmpty() ? "HTTP " + response.status() + " " + response.reason() : text;
    }

    /** Something answers at the address, but not as a Docker Engine. */
    static EngineUnreachableException notDocker(String address, String detail, Throwable cause) {
        return new EngineUnreachableException(address, "it does not answer as a Docker Engine API (" + detail
                + "); check -H/DOCKER_HOST", cause);
    }

    /** An I/O failure after the connection was made (send() already turned connect failures into unreachable). */
    static DockerException io(String call, IOException e) {
        return new DockerException(call + ": " + e.getMessage(), e);
    }
}
