package com.mlreef.offline.docker.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** {@code GET /info}: the fields the tool reads. */
@RegisterForReflection
public record SystemInfo(String name, String serverVersion, String driver, String dockerRootDir, String operatingSystem,
                         String osType, String architecture, @JsonProperty("NCPU") Integer ncpu,
                         Long memTotal, Integer containers, Integer images, String cgroupVersion) {
}
