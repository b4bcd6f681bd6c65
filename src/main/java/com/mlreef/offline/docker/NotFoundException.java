package com.mlreef.offline.docker;

/** HTTP 404: no such image, container, volume, network or exec. */
public class NotFoundException extends ApiException {
    public NotFoundException(String call, String engineMessage) {
        super(call, 404, engineMessage);
    }
}
