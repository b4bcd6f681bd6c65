package com.mlreef.offline.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A content descriptor of a manifest: a config, a layer, or (in an index) an image's manifest with its platform.
 *
 * @param platform only in a manifest list or OCI index; else null
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Descriptor(String mediaType, String digest, long size, Platform platform) {

    /** A platform as an index names it. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Platform(String architecture, String os, String variant) {
        /** os/arch[/variant] */
        @Override
        public String toString() {
            return os + "/" + architecture + (variant == null || variant.isEmpty() ? "" : "/" + variant);
        }
    }
}
