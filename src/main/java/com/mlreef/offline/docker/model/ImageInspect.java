package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** {@code GET /images/{name}/json}: identity, platform and layers. */
@RegisterForReflection
public record ImageInspect(String id, List<String> repoTags, List<String> repoDigests, String created, Long size,
                           String architecture, String os, String variant,
                           @JsonProperty("RootFS") RootFs rootFs, Config config) {

    @RegisterForReflection
    public record RootFs(String type, List<String> layers) {
    }

    /** @param volumes the paths of the image's VOLUME instructions (the values are empty objects) */
    @RegisterForReflection
    public record Config(Map<String, String> labels, List<String> env, List<String> cmd, List<String> entrypoint,
                         Map<String, Object> exposedPorts, Healthcheck healthcheck, Map<String, Object> volumes) {
    }

    /** The image's HEALTHCHECK; a test of ["NONE"] disables the one it inherits. */
    @RegisterForReflection
    public record Healthcheck(List<String> test) {
        public boolean enabled() {
            return test != null && !test.isEmpty() && !test.equals(List.of("NONE"));
        }
    }

    /** The platform in the usual os/arch[/variant] form. */
    public String platform() {
        return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
    }
}
