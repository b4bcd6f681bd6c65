package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/** The answer of a create call: the new object's ID (and warnings). */
@RegisterForReflection
public record IdResponse(@JsonProperty("Id") String id, @JsonProperty("ID") String upperId, List<String> warnings) {

    public String value() {
        return id != null ? id : upperId;
    }
}
