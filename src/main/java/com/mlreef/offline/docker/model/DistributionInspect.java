package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/** {@code GET /distribution/{name}/json}: what the registry holds for a reference, asked through the engine. */
@RegisterForReflection
public record DistributionInspect(Descriptor descriptor) {

    @RegisterForReflection
    @JsonNaming(PropertyNamingStrategies.LowerCamelCaseStrategy.class)
    public record Descriptor(String mediaType, String digest, Long size) {
    }
}
