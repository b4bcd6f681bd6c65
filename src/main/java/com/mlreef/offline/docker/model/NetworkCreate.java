package com.mlreef.offline.docker.model;

import io.quarkus.runtime.annotations.RegisterForReflection;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** The body of {@code POST /networks/create}: what the tool sets, nothing more (null: the engine's default). */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record NetworkCreate(String name, String driver, Boolean checkDuplicate, Boolean internal, Boolean attachable,
                            @JsonProperty("EnableIPv6") Boolean enableIpv6, @JsonProperty("IPAM") Ipam ipam,
                            Map<String, String> options, Map<String, String> labels) {

    /** A network of a driver with the engine's defaults. */
    public static NetworkCreate of(String name, String driver, Map<String, String> labels) {
        return new NetworkCreate(name, driver, true, null, null, null, null, null, labels == null ? Map.of() : labels);
    }

    /** Addresses: a driver (null: default) and its pools. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ipam(String driver, List<Pool> config, Map<String, String> options) {
    }

    /** One pool: a subnet in CIDR form, and optionally the range containers get addresses from, and the gateway. */
    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pool(String subnet, @JsonProperty("IPRange") String ipRange, String gateway,
                       Map<String, String> auxiliaryAddresses) {
    }
}
