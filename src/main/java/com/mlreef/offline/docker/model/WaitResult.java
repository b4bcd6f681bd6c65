package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code POST /containers/{id}/wait}. */
@RegisterForReflection
public record WaitResult(Long statusCode, Error error) {

    @RegisterForReflection
    public record Error(String message) {
    }
}
