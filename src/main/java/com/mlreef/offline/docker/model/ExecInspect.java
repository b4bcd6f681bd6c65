package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /exec/{id}/json}. */
@RegisterForReflection
public record ExecInspect(@JsonProperty("ID") String id, Boolean running, Integer exitCode, Integer pid,
                          @JsonProperty("ContainerID") String containerId) {
}
