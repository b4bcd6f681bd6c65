package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code GET /networks/{id}}, one entry of {@code GET /networks}. */
@RegisterForReflection
public record Network(String name, String id, String driver, String scope, @JsonProperty("IPAM") Ipam ipam,
                      Map<String, String> labels, Map<String, String> options, Map<String, Endpoint> containers,
                      Boolean internal) {

    @RegisterForReflection
    public record Ipam(String driver, List<IpamConfig> config) {
    }

    @RegisterForReflection
    public record IpamConfig(String subnet, String gateway) {
    }

    @RegisterForReflection
    public record Endpoint(String name, @JsonProperty("IPv4Address") String ipv4Address) {
    }

    /** The IPv4 gateway the engine reports for the network, or null (the default bridge reports none). */
    public String gateway() {
        return ipv4Config().map(IpamConfig::gateway).filter(g -> g != null && !g.isEmpty()).orElse(null);
    }

    /** The first IPv4 subnet, such as 172.17.0.0/16, or null. */
    public String subnet() {
        return ipv4Config().map(IpamConfig::subnet).orElse(null);
    }

    /** The host's interface of a bridge network (docker0 for the default bridge), or null. */
    public String bridgeInterface() {
        return options == null ? null : options.get("com.docker.network.bridge.name");
    }

    private Optional<IpamConfig> ipv4Config() {
        if (ipam == null || ipam.config() == null) {
            return Optional.empty();
        }
        return ipam.config().stream().filter(c -> c.subnet() != null && !c.subnet().contains(":")).findFirst();
    }
}
