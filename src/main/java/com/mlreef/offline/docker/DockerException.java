package com.mlreef.offline.docker;

/** A Docker Engine call failed; the message says which call and what the engine answered. */
public class DockerException extends RuntimeException {
    public DockerException(String message) {
        super(message);
    }

    public DockerException(String message, Throwable cause) {
        super(message, cause);
    }
}
