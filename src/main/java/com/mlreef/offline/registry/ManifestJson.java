package com.mlreef.offline.registry;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;

/**
 * The JSON of a manifest, read into one record whatever its kind: an image manifest ({@code config} and
 * {@code layers}) or a manifest list / OCI index ({@code manifests}).
 */
@RegisterForReflection
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestJson(int schemaVersion, String mediaType, Descriptor config, List<Descriptor> layers,
                           List<Descriptor> manifests) {
}
