package com.mlreef.offline.docker;

/** The engine answered with an error status (or an error inside a progress stream); carries its message. */
public class ApiException extends DockerException {
    private final int status;
    private final String engineMessage;

    public ApiException(String call, int status, String engineMessage) {
        super(call + ": " + (engineMessage == null || engineMessage.isBlank() ? "HTTP " + status : engineMessage));
        this.status = status;
        this.engineMessage = engineMessage;
    }

    /** The HTTP status, or 0 for an error reported inside a stream that began with 200. */
    public int status() { return status; }

    public String engineMessage() { return engineMessage; }
}
