package com.mlreef.offline.docker;

/** HTTP 409: the name is taken, or the object is in use. */
public class ConflictException extends ApiException {
    public ConflictException(String call, String engineMessage) {
        super(call, 409, engineMessage);
    }
}
