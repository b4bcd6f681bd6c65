package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** {@code GET /containers/{id}/json}: the fields the tool reads. */
@RegisterForReflection
public record ContainerInspect(String id, String name, String image, String created, State state, Config config,
                               HostConfig hostConfig, NetworkSettings networkSettings, List<Mount> mounts,
                               Integer restartCount) {

    @RegisterForReflection
    public record State(String status, Boolean running, Boolean paused, Boolean restarting,
                        @JsonProperty("OOMKilled") Boolean oomKilled, Integer exitCode, String error, String startedAt,
                        String finishedAt, Health health) {
    }

    /** @param log the engine's last few probes, oldest first */
    @RegisterForReflection
    public record Health(String status, Integer failingStreak, List<Probe> log) {

        /** The last probe, as " (last probe: exit code N: OUTPUT)" with its output on one line; "" without one. */
        public String lastProbe() {
            if (log == null || log.isEmpty()) {
                return "";
            }
            Probe last = log.get(log.size() - 1);
            String output = last.output() == null ? "" : last.output().strip().replaceAll("\\s*\n\\s*", " / ");
            return " (last probe: exit code " + last.exitCode() + (output.isEmpty() ? "" : ": "
                    + (output.length() > 200 ? output.substring(0, 200) + "..." : output)) + ")";
        }
    }

    @RegisterForReflection
    public record Probe(Integer exitCode, String output) {
    }

    @RegisterForReflection
    public record Config(String image, List<String> env, List<String> cmd, Map<String, String> labels, Boolean tty) {
    }

    @RegisterForReflection
    public record HostConfig(List<String> binds, Map<String, List<ContainerSpec.PortBinding>> portBindings,
                             ContainerSpec.RestartPolicy restartPolicy, String networkMode, Boolean readonlyRootfs) {
    }

    @RegisterForReflection
    public record NetworkSettings(Map<String, EndpointSettings> networks) {
    }

    @RegisterForReflection
    public record EndpointSettings(@JsonProperty("NetworkID") String networkId, String gateway,
                                   @JsonProperty("IPAddress") String ipAddress, List<String> aliases) {
    }

    @RegisterForReflection
    public record Mount(String type, String name, String source, String destination, @JsonProperty("RW") Boolean rw) {

        /** An unnamed volume: the engine made it for a VOLUME of the image that nothing else was mounted on. */
        public boolean unnamed() {
            return "volume".equals(type) && name != null && name.matches("[0-9a-f]{64}");
        }
    }

    /** The name without the leading slash. */
    public String plainName() {
        return name == null ? id : name.replaceFirst("^/", "");
    }
}
