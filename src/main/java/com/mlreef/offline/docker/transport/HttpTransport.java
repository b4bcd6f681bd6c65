package com.mlreef.offline.docker.transport;

import java.io.IOException;

/** The seam between the Docker client and the wire: one request in, status, headers and a streamed body out. */
public interface HttpTransport {

    /**
     * Sends the request on a new connection and returns once the response head has arrived.
     * The caller must close the response.
     *
     * @throws ConnectException when no connection can be opened (the engine is not there, or not allowed)
     */
    HttpResponse exchange(HttpRequest request) throws IOException;

    /** Where this transport connects, as the user would write it (unix:///var/run/docker.sock). */
    String address();

    /** A connection could not be opened; {@link #reason()} says why in words a user can act on. */
    final class ConnectException extends IOException {
        private final String reason;

        public ConnectException(String reason, Throwable cause) {
            super(reason, cause);
            this.reason = reason;
        }

        public String reason() { return reason; }
    }
}
