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
        return toBuilder().labels(other).build();
    }

    /** The same container with other binds. */
    public ContainerSpec withBinds(List<String> other) {
        return toBuilder().hostConfig(hostConfig.toBuilder().binds(other).build()).build();
    }

    /** A spec to build field by field, starting from the image. */
    public static Builder builder(String image) {
        return new Builder().image(image);
    }

    /** A builder holding every field of this spec. */
    public Builder toBuilder() {
        return new Builder().image(image).cmd(cmd).entrypoint(entrypoint).env(env).labels(labels)
                .exposedPorts(exposedPorts).healthcheck(healthcheck).workingDir(workingDir).user(user).tty(tty)
                .hostConfig(hostConfig).networkingConfig(networkingConfig).hostname(hostname).stopTimeout(stopTimeout)
                .more(more);
    }

    /** Builds a {@link ContainerSpec}; a field not set stays null (not written). */
    public static final class Builder {
        private String image;
        private List<String> cmd;
        private List<String> entrypoint;
        private List<String> env;
        private Map<String, String> labels;
        private Map<String, Map<String, Object>> exposedPorts;
        private Healthcheck healthcheck;
        private String workingDir;
        private String user;
        private Boolean tty;
        private HostConfig hostConfig;
        private NetworkingConfig networkingConfig;
        private String hostname;
        private Integer stopTimeout;
        private Map<String, Object> more;

        private Builder() {
        }

        public Builder image(String value) {
            image = value;
            return this;
        }

        public Builder cmd(List<String> value) {
            cmd = value;
            return this;
        }

        public Builder entrypoint(List<String> value) {
            entrypoint = value;
            return this;
        }

        public Builder env(List<String> value) {
            env = value;
            return this;
        }

        public Builder labels(Map<String, String> value) {
            labels = value;
            return this;
        }

        public Builder exposedPorts(Map<String, Map<String, Object>> value) {
            exposedPorts = value;
            return this;
        }

        public Builder healthcheck(Healthcheck value) {
            healthcheck = value;
            return this;
        }

        public Builder workingDir(String value) {
            workingDir = value;
            return this;
        }

        public Builder user(String value) {
            user = value;
            return this;
        }

        public Builder tty(Boolean value) {
            tty = value;
            return this;
        }

        public Builder hostConfig(HostConfig value) {
            hostConfig = value;
            return this;
        }

        public Builder networkingConfig(NetworkingConfig value) {
            networkingConfig = value;
            return this;
        }

        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        public Builder stopTimeout(Integer value) {
            stopTimeout = value;
            return this;
        }

        /** Further fields, by the engine's names. */
        public Builder more(Map<String, Object> value) {
            more = value;
            return this;
        }

        public ContainerSpec build() {
            return new ContainerSpec(image, cmd, entrypoint, env, labels, exposedPorts, healthcheck, workingDir, user,
                    tty, hostConfig, networkingConfig, hostname, stopTimeout, more);
        }
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

        public static Builder builder() {
            return new Builder();
        }

        /** A builder holding every field of this host configuration. */
        public Builder toBuilder() {
            return new Builder().binds(binds).portBindings(portBindings).restartPolicy(restartPolicy)
                    .networkMode(networkMode).extraHosts(extraHosts).privileged(privileged).init(init).capAdd(capAdd)
                    .capDrop(capDrop).shmSize(shmSize).memory(memory).nanoCpus(nanoCpus).logConfig(logConfig)
                    .tmpfs(tmpfs).ulimits(ulimits).more(more);
        }

        /** Builds a {@link HostConfig}; a field not set stays null (not written). */
        public static final class Builder {
            private List<String> binds;
            private Map<String, List<PortBinding>> portBindings;
            private RestartPolicy restartPolicy;
            private String networkMode;
            private List<String> extraHosts;
            private Boolean privileged;
            private Boolean init;
            private List<String> capAdd;
            private List<String> capDrop;
            private Long shmSize;
            private Long memory;
            private Long nanoCpus;
            private LogConfig logConfig;
            private Map<String, String> tmpfs;
            private List<Ulimit> ulimits;
            private Map<String, Object> more;

            private Builder() {
            }

            public Builder binds(List<String> value) {
                binds = value;
                return this;
            }

            public Builder portBindings(Map<String, List<PortBinding>> value) {
                portBindings = value;
                return this;
            }

            public Builder restartPolicy(RestartPolicy value) {
                restartPolicy = value;
                return this;
            }

            public Builder networkMode(String value) {
                networkMode = value;
                return this;
            }

            public Builder extraHosts(List<String> value) {
                extraHosts = value;
                return this;
            }

            public Builder privileged(Boolean value) {
                privileged = value;
                return this;
            }

            public Builder init(Boolean value) {
                init = value;
                return this;
            }

            public Builder capAdd(List<String> value) {
                capAdd = value;
                return this;
            }

            public Builder capDrop(List<String> value) {
                capDrop = value;
                return this;
            }

            /** Bytes. */
            public Builder shmSize(Long value) {
                shmSize = value;
                return this;
            }

            /** Bytes. */
            public Builder memory(Long value) {
                memory = value;
                return this;
            }

            /** CPUs in units of 10^-9. */
            public Builder nanoCpus(Long value) {
                nanoCpus = value;
                return this;
            }

            public Builder logConfig(LogConfig value) {
                logConfig = value;
                return this;
            }

            public Builder tmpfs(Map<String, String> value) {
                tmpfs = value;
                return this;
            }

            public Builder ulimits(List<Ulimit> value) {
                ulimits = value;
                return this;
            }

            /** Further fields, by the engine's names. */
            public Builder more(Map<String, Object> value) {
                more = value;
                return this;
            }

            public HostConfig build() {
                return new HostConfig(binds, portBindings, restartPolicy, networkMode, extraHosts, privileged, init,
                        capAdd, capDrop, shmSize, memory, nanoCpus, logConfig, tmpfs, ulimits, more);
            }
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

    /** @param links {@code CONTAINER:ALIAS} each: names only this container gives others (Compose's links); or null */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record EndpointConfig(List<String> aliases, List<String> links) {
        public EndpointConfig(List<String> aliases) {
            this(aliases, null);
        }
    }

    /** A minimal spec: an image and a command. */
    public static ContainerSpec of(String image, List<String> cmd) {
        return new ContainerSpec(image, cmd, null, null, null, null, null, null, null, false, null, null);
    }
}
