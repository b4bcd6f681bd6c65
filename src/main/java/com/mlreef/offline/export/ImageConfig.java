package com.mlreef.offline.export;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.mlreef.offline.docker.model.ImageInspect;
import com.mlreef.offline.registry.RegistryException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An image's config blob (its digest is the image ID) read into what the engine's inspect gives: platform, diff IDs,
 * created, and the container config (PascalCase, as the engine writes it).
 */
final class ImageConfig {
    private static final long LIMIT = 8L << 20;
    private static final ObjectMapper PLAIN = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final ObjectMapper PASCAL = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.UPPER_CAMEL_CASE)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private ImageConfig() {
    }

    /**
     * @param id   the config's digest
     * @param size the image's size as far as known (the registry's compressed layers)
     */
    static ImageInspect read(String what, Path file, String id, long size) throws IOException {
        if (Files.size(file) > LIMIT) {
            throw new RegistryException(what + ": the image's config is larger than " + LIMIT + " bytes");
        }
        JsonNode json;
        try (InputStream in = Files.newInputStream(file)) {
            json = PLAIN.readTree(in);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new RegistryException(what + ": the image's config is not valid JSON");
        }
        JsonNode diffIds = json == null ? null : json.path("rootfs").path("diff_ids");
        if (diffIds == null || !diffIds.isArray()) {
            throw new RegistryException(what + ": the image's config has no rootfs.diff_ids");
        }
        List<String> layers = new ArrayList<>();
        for (JsonNode d : diffIds) {
            if (!d.asText().matches("sha256:[0-9a-f]{64}")) {
                throw new RegistryException(what + ": the image's config names a layer '" + d.asText() + "' that is"
                        + " not a sha256 digest");
            }
            layers.add(d.asText());
        }
        ImageInspect.Config config = json.path("config").isObject()
                ? PASCAL.treeToValue(json.path("config"), ImageInspect.Config.class) : null;
        return new ImageInspect(id, null, null, text(json, "created"), size, text(json, "architecture"),
                text(json, "os"), text(json, "variant"), new ImageInspect.RootFs("layers", List.copyOf(layers)),
                config);
    }

    private static String text(JsonNode json, String field) {
        JsonNode node = json.path(field);
        return node.isTextual() ? node.asText() : null;
    }
}
