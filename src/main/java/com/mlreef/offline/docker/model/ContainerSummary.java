package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** One entry of {@code GET /containers/json}. */
@RegisterForReflection
public record ContainerSummary(String id, List<String> names, String image, @JsonProperty("ImageID") String imageId,
                               String state, String status, Long created, Map<String, String> labels, List<Port> ports,
                               ContainerInspect.NetworkSettings networkSettings, List<ContainerInspect.Mount> mounts) {

    public ContainerSummary(String id, List<String> names, String image, String imageId, String state, String status,
                            Long created, Map<String, String> labels, List<Port> ports,
                            ContainerInspect.NetworkSettings networkSettings) {
        this(id, names, image, imageId, state, status, created, labels, ports, networkSettings, null);
    }

    @RegisterForReflection
    public record Port(@JsonProperty("IP") String ip, Integer privatePort, Integer publicPort, String type) {
    }

    /** The name without the leading slash. */
    public String name() {
        return names == null || names.isEmpty() ? id : names.get(0).replaceFirst("^/", "");
    }
}
