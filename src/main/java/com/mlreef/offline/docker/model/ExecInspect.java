package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code GET /exec/{id}/json}. */
@RegisterForReflection
public record ExecInspect(@JsonProperty("ID") String id, Boolean running, Integer exitCode, Integer pid,
                          @JsonProperty("ContainerID") String containerId, ProcessConfig processConfig) {

    /** What the exec runs: its program and arguments (the engine names these fields in lower case). */
    @RegisterForReflection
    public record ProcessConfig(@JsonProperty("entrypoint") String entrypoint,
                                @JsonProperty("arguments") java.util.List<String> arguments) {
    }
}
