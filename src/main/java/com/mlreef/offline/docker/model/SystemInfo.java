package com.mlreef.offline.docker.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.Map;

/** {@code GET /info}: the fields the tool reads. */
@RegisterForReflection
public record SystemInfo(String name, String serverVersion, String driver, String dockerRootDir, String operatingSystem,
                         String osType, String architecture, @JsonProperty("NCPU") Integer ncpu,
                         Long memTotal, Integer containers, Integer images, String cgroupVersion, Plugins plugins,
                         Map<String, Object> runtimes) {

    public SystemInfo(String name, String serverVersion, String driver, String dockerRootDir, String operatingSystem,
                      String osType, String architecture, Integer ncpu, Long memTotal, Integer containers,
                      Integer images, String cgroupVersion, Plugins plugins) {
        this(name, serverVersion, driver, dockerRootDir, operatingSystem, osType, architecture, ncpu, memTotal,
                containers, images, cgroupVersion, plugins, null);
    }

    /** The drivers the engine has, by kind. */
    @RegisterForReflection
    public record Plugins(List<String> network, List<String> volume) {
    }
}
