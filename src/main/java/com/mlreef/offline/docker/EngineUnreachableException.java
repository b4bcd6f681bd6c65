package com.mlreef.offline.docker;

/** No Docker Engine answers at the address: not there, not allowed, or not a Docker API. */
public class EngineUnreachableException extends DockerException {
    private final String address;
    private final String reason;

    public EngineUnreachableException(String address, String reason, Throwable cause) {
        super("cannot reach the Docker Engine at " + address + ": " + reason, cause);
        this.address = address;
        this.reason = reason;
    }

    public String address() { return address; }

    public String reason() { return reason; }
}
