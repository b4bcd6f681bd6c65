package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /containers/create}: what the tool sets, nothing more.
 *
 * @param more further fields, by the engine's names (written as they are; null or empty: none)
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ContainerSpec(String image, List<String> cmd, List<String> entrypoint, List<String> env,
                            Map<String, String> labels, Map<String, Map<String, Object>> exposedPorts,
                            Healthcheck healthcheck, String workingDir, String user, Boolean tty,
                            HostConfig hostConfig, NetworkingConfig networkingConfig, String hostname,
                            Integer stopTimeout, @JsonAnyGetter Map<String, Object> more) {

    public ContainerSpec(String image, List<String> cmd, List<String> entrypoint, List<String> env,
                         Map<String, String> labels, Map<String, Map<String, Object>> exposedPorts,
                         Healthcheck healthcheck, String workingDir, String user, Boolean tty, HostConfig hostConfig,
                         NetworkingConfig networkingConfig) {
        this(image, cmd, entrypoint, env, labels, exposedPorts, healthcheck, workingDir, user, tty, hostConfig,
                networkingConfig, null, null, null);
    }

    /** The same container with other labels. */
    public ContainerSpec withLabels(Map<String, String> other) {
        return new ContainerSpec(image, cmd, entrypoint, env, other, exposedPorts, healthcheck, workingDir, user, tty,
                hostConfig, networkingConfig, hostname, stopTimeout, more);
    }

    /** The same container with other binds. */
    public ContainerSpec withBinds(List<String> other) {
        HostConfig h = hostConfig;
        return new ContainerSpec(image, cmd, entrypoint, env, labels, exposedPorts, healthcheck, workingDir, user, tty,
                new HostConfig(other, h.portBindings, h.restartPolicy, h.networkMode, h.extraHosts, h.privileged,
                        h.init, h.capAdd, h.capDrop, h.shmSize, h.memory, h.nanoCpus, h.logConfig, h.tmpfs, h.ulimits,
                        h.more),
                networkingConfig, hostname, stopTimeout, more);
    }

    /**
     * @param shmSize  bytes
     * @param memory   bytes
     * @param nanoCpus CPUs in units of 10^-9
     * @param tmpfs    target path to mount options
     * @param more     further fields, by the engine's names (written as they are; null or empty: none)
     */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record HostConfig(List<String> binds, Map<String, List<PortBinding>> portBindings,
                             RestartPolicy restartPolicy, String networkMode, List<String> extraHosts,
                             Boolean privileged, Boolean init, List<String> capAdd, List<String> capDrop,
                             Long shmSize, Long memory, Long nanoCpus, LogConfig logConfig, Map<String, String> tmpfs,
                             List<Ulimit> ulimits, @JsonAnyGetter Map<String, Object> more) {

        public HostConfig(List<String> binds, Map<String, List<PortBinding>> portBindings, RestartPolicy restartPolicy,
                          String networkMode) {
            this(binds, portBindings, restartPolicy, networkMode, null, null, null, null, null, null, null, null, null,
                    null, null, null);
        }
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record LogConfig(String type, Map<String, String> config) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ulimit(String name, long soft, long hard) {
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
