package com.mlreef.offline.docker.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/** {@code GET /info}: the fields the tool reads. */
@RegisterForReflection
public record SystemInfo(String name, String serverVersion, String driver, String dockerRootDir, String operatingSystem,
                         String osType, String architecture, @JsonProperty("NCPU") Integer ncpu,
                         Long memTotal, Integer containers, Integer images, String cgroupVersion, Plugins plugins) {

    /** The drivers the engine has, by kind. */
    @RegisterForReflection
    public record Plugins(List<String> network, List<String> volume) {
    }
}
