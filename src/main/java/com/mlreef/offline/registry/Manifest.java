package com.mlreef.offline.registry;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.io.IOException;
import java.util.List;
import java.util.Set;

/**
 * A manifest as the registry sent it: its bytes (small JSON, kept: the digest is over them), its media type and
 * digest. Registered like the JSON records: the native check matches records by the name they are read as.
 */
@RegisterForReflection
public record Manifest(String mediaType, String digest, byte[] bytes) {
    public static final String DOCKER_V2 = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    /** What the client accepts, newest first. */
    public static final String ACCEPT = String.join(", ", OCI_INDEX, DOCKER_LIST, OCI_MANIFEST, DOCKER_V2);
    private static final Set<String> INDEXES = Set.of(DOCKER_LIST, OCI_INDEX);
    private static final Set<String> IMAGES = Set.of(DOCKER_V2, OCI_MANIFEST);
    static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** The parsed JSON; refused when it is not JSON or not a manifest this client reads. */
    public ManifestJson json(String what) {
        ManifestJson json;
        try {
            json = JSON.readValue(bytes, ManifestJson.class);
        } catch (IOException e) {
            throw new RegistryException(what + ": the registry sent a manifest that is not valid JSON");
        }
        String type = kind(json);
        if (INDEXES.contains(type) ? json.manifests() == null
                : !IMAGES.contains(type) || json.config() == null || json.layers() == null) {
            throw new RegistryException(what + ": the registry sent a manifest of type " + type + ", which is"
                    + " neither an image manifest nor an index (Docker schema 2 or OCI)");
        }
        return json;
    }

    /** Whether it is a manifest list or an OCI index. */
    public boolean index() {
        return INDEXES.contains(mediaType);
    }

    /** The media type: the header's, else the one the JSON gives, else inferred from the JSON's fields. */
    private String kind(ManifestJson json) {
        if (mediaType != null && (INDEXES.contains(mediaType) || IMAGES.contains(mediaType))) {
            return mediaType;
        }
        if (json.mediaType() != null) {
            return json.mediaType();
        }
        return json.manifests() != null ? OCI_INDEX : OCI_MANIFEST;
    }

    /** The descriptors of an image manifest's layers, bottom first. */
    public static List<Descriptor> layers(ManifestJson json) {
        return json.layers() == null ? List.of() : json.layers();
    }
}
