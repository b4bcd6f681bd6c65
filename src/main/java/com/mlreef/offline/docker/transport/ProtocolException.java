package com.mlreef.offline.docker.transport;

import java.io.IOException;

/** The answer broke the HTTP/1.1 rules: the peer is probably not an HTTP server. */
public final class ProtocolException extends IOException {
    public ProtocolException(String message) {
        super(message);
    }
}
