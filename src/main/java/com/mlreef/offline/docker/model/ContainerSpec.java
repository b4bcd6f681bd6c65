package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /containers/create}: what the tool sets, nothing more. */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerSpec(String image, List<String> cmd, List<String> entrypoint, List<String> env,
                            Map<String, String> labels, Map<String, Map<String, Object>> exposedPorts,
                            Healthcheck healthcheck, String workingDir, String user, Boolean tty,
                            HostConfig hostConfig, NetworkingConfig networkingConfig) {

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HostConfig(List<String> binds, Map<String, List<PortBinding>> portBindings,
                             RestartPolicy restartPolicy, String networkMode) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PortBinding(String hostIp, String hostPort) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record RestartPolicy(String name, Integer maximumRetryCount) {
    }

    /** Durations in nanoseconds, as the engine takes them. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Healthcheck(List<String> test, Long interval, Long timeout, Integer retries, Long startPeriod) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NetworkingConfig(Map<String, EndpointConfig> endpointsConfig) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EndpointConfig(List<String> aliases) {
    }

    /** A minimal spec: an image and a command. */
    public static ContainerSpec of(String image, List<String> cmd) {
        return new ContainerSpec(image, cmd, null, null, null, null, null, null, null, false, null, null);
    }
}
