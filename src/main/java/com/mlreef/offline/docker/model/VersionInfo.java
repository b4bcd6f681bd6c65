package com.mlreef.offline.docker.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code GET /version}. */
@RegisterForReflection
public record VersionInfo(String version, String apiVersion, @JsonProperty("MinAPIVersion") String minApiVersion,
                          String os, String arch, String kernelVersion, String gitCommit) {
}
